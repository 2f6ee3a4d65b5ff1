/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Boot integration (bondgen-generator(8)): what the generator, the udev hotplug helper
 * and the initramfs scripts need to *decide*, without the full readers.
 *
 * The generator runs synchronously at every boot and daemon-reload and must
 * stay in the millisecond range (systemd.generator(7)), so it does not run
 * the legacy converter or the model's validation: it loads the canonical
 * YAML with the one loader (yaml/) and scans the legacy files for bond
 * names and ports only. Conversion and validation are
 * bondgen-apply.service's job, where errors reach the journal.
 */
#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"
#include "model/model.h"
#include "util/util.h"

struct bg_boot_port {
        char *name;     /* NULL when matched by MAC only */
        char *mac;      /* lower case "aa:bb:cc:dd:ee:ff" or NULL */
};

struct bg_boot_bond {
        char *name;
        enum bg_backend backend;
        struct bg_boot_port *ports;
        size_t n_ports;
        char *options;  /* kernel command line only: "mode=1 miimon=100" or NULL */
        unsigned mtu;   /* kernel command line only: 0 = unset */
        char *source;   /* YAML only: the file name (no directory) it came from */
        bool own_mac;   /* YAML only: its MAC is not its first port's (`mac:`, or
                         * fail_over_mac=active, where it follows the active port) */
};

struct bg_boot_set {
        struct bg_boot_bond *bonds;
        size_t n_bonds, bonds_cap;
        struct bg_nameidx idx;   /* bond name -> index in bonds */
        /* YAML only: the links the model's VLANs sit on and its bridges
         * take as ports (bonds among them too), and the names of its VLANs
         * and bridges; the generator waits for the device units of the
         * lower links that are neither (NICs), as for bond ports. */
        char **lower;
        size_t n_lower;
        char **stacked;
        size_t n_stacked;
};

/* Where the boot takes its model from, in precedence order: the user's
 * canonical files win, then the dracut-style kernel command line, then the
 * legacy files (which are converted at boot). */
enum bg_boot_source {
        BG_BOOT_SRC_NONE,
        BG_BOOT_SRC_YAML,
        BG_BOOT_SRC_CMDLINE,
        BG_BOOT_SRC_LEGACY,
};

const char *bg_boot_source_name(enum bg_boot_source s);

void bg_boot_set_free(struct bg_boot_set *s);
struct bg_boot_bond *bg_boot_set_find(const struct bg_boot_set *s, const char *name);
/* Adds (or returns the existing) bond of that name. NULL on ENOMEM. */
struct bg_boot_bond *bg_boot_set_add(struct bg_boot_set *s, const char *name);
int bg_boot_bond_add_port(struct bg_boot_bond *b, const char *name, const char *mac);

/* --- kernel command line (cmdline.c) --- */

/* Iterate over the words of a kernel command line the way the kernel
 * splits them (whitespace, double quotes group). *p advances; returns 1 and
 * malloc'd key/value (value NULL for a bare word), 0 at the end, -ENOMEM. */
int bg_boot_cmdline_next(const char **p, char **key, char **value);
/* bondgen=off (also 0, no, false): boot integration disabled. The last
 * occurrence wins, as with other kernel arguments. */
bool bg_boot_cmdline_disabled(const char *cmdline);
/* Every bond=<bond>[:<ports>[:<options>[:<mtu>]]] (dracut.cmdline(7)
 * syntax: ports and options separated by ',', arp_ip_target values by ';')
 * into s. A bare "bond" means bond0:eth0,eth1:mode=balance-rr, as in
 * dracut. Problems go to diags (file "/proc/cmdline", column of the word);
 * returns 0, -EINVAL when a word was skipped, -ENOMEM. */
int bg_boot_cmdline_bonds(const char *cmdline, struct bg_boot_set *s, struct bg_diags *diags);

/* --- readers (scan.c) --- */

/* Legacy bonding configuration under root: ifcfg-* with TYPE=Bond,
 * BONDING_MASTER=yes, BONDING_OPTS, MASTER/SLAVE in
 * etc/sysconfig/network-scripts, and "alias NAME bonding" / "install NAME
 * ... bonding" in etc/modprobe.conf and etc/modprobe.d/\*.conf. Bonds found
 * are added to s (backend auto, ports by name); *found tells whether any
 * legacy bonding key was seen at all. Unreadable files are noted in diags
 * and skipped. Returns 0 or -ENOMEM. */
/* Overall time budget of the scans in this process (the generator runs in
 * the boot transaction): once spent, the remaining files are skipped, each
 * named in a warning. 0 = none (the default). */
void bg_boot_scan_set_budget_ms(unsigned ms);
/* bg_boot_scan_set_budget_ms() with the milliseconds in the environment
 * variable var (0 = none, at most 600000), else dflt: the generator's
 * BONDGEN_GENERATOR_BUDGET_MS, the hotplug helper's BONDGEN_HOTPLUG_BUDGET_MS. */
void bg_boot_scan_budget_from_env(const char *var, unsigned dflt);
int bg_boot_scan_legacy(const char *root, struct bg_boot_set *s, bool *found,
                        struct bg_diags *diags);

/* One canonical YAML document through the model loader (bg_yaml_load_data():
 * its size, depth and length limits); of its bonds the name, backend and
 * ports are kept, also of a bond with a bad value. Every problem goes to
 * diags as FILE:LINE:COL and returns -EINVAL; a document the loader cannot
 * parse gives no bonds. */
int bg_boot_scan_yaml_data(const char *data, size_t len, const char *fname,
                           struct bg_boot_set *s, struct bg_diags *diags);
/* Every *.yaml in dir, in name order (hidden files skipped), each loaded
 * with bg_yaml_load_file() (regular files only; a FIFO never blocks) while
 * the time budget lasts. *n_files counts the files found (broken and
 * skipped ones included). A missing dir is no error. Returns 0, -EINVAL if
 * some file was broken, or -ENOMEM. */
int bg_boot_scan_yaml_dir(const char *dir, struct bg_boot_set *s, unsigned *n_files,
                          struct bg_diags *diags);


/* "root" + "/" + "rel" without doubling slashes; malloc'd or NULL. */
char *bg_boot_path(const char *root, const char *rel);

/* --- the generator (generator.c) --- */

struct bg_gen_opts {
        const char *root;         /* "/" in production */
        const char *cmdline;      /* contents of /proc/cmdline */
        const char *release;      /* uname -r */
        const char *normal_dir;
        const char *early_dir;
        const char *late_dir;
        const char *unit_dir;     /* where bondgen-apply.service is installed */
        const char *sbin_dir;     /* bondgen, bondgend */
        const char *libexec_dir;  /* bondgen-cmdline */
        unsigned device_timeout_sec; /* how long apply waits for a named port */
};

/* What the generator decided; for tests and the debug log. */
struct bg_gen_result {
        enum bg_boot_source source;
        bool disabled;            /* bondgen=off */
        bool have_bonding;
        size_t n_bonds;
        size_t n_userspace;       /* bondgend@ instances linked */
};

/* Decide and write: links and drop-ins in normal_dir only. Never fails
 * the boot: problems go to diags (the caller logs them) and the return
 * value says only whether everything that was wanted got written (0) or
 * not (negative errno). */
int bg_boot_generate(const struct bg_gen_opts *o, struct bg_gen_result *res,
                     struct bg_diags *diags);

/* systemd unit-name escaping of a path ("/sys/subsystem/net/devices/eth-1"
 * -> "sys-subsystem-net-devices-eth\x2d1"), as systemd-escape --path does.
 * Writes suffix after the escaped name. malloc'd or NULL. */
char *bg_boot_unit_path_escape(const char *path, const char *suffix);
/* One argument of an ExecStart= command line (systemd.service(5) "Command
 * lines", systemd.syntax(7)): double-quoted, '\\', '"' and control bytes as
 * C escapes, '%' doubled so no specifier is expanded. malloc'd or NULL. */
char *bg_boot_exec_quote(const char *arg);
