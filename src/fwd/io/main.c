/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgend [-c FILE] [-v] [--no-addresses] BOND: the user-space forwarder
 * for one bond of the canonical model (bondgend(8)). Runs in the
 * foreground; Type=notify under systemd.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "fwd/io/core.h"
#include "fwd/io/rundir.h"
#include "netlink/netlink.h"
#include "yaml/yaml.h"

enum { EXIT_INVALID = 1, EXIT_USAGE = 2, EXIT_SYS = 3 };

static void usage(FILE *f) {
        fprintf(f,
                "Usage: bondgend [-c FILE [--prefer-handed]] [-v] [--no-addresses] BOND\n\n"
                "User-space bonding forwarder: BOND becomes a TAP device and the bond's\n"
                "ports are driven through AF_PACKET sockets, as the kernel bonding driver\n"
                "would drive them.\n\n"
                "  -c, --config FILE   canonical YAML (default %s/BOND.yaml as bondgen apply\n"
                "                      leaves it, else %s/bondgen.yaml, else %s/bondgen.yaml)\n"
                "      --prefer-handed with -c: the model bondgen apply left in the run\n"
                "                      directory for BOND when there is one, FILE otherwise\n"
                "  -v, --verbose       log debug messages\n"
                "  -n, --no-addresses  do not put the model's addresses and routes on BOND\n"
                "  -h, --help          this text\n"
                "      --version       print the version\n\n"
                "Control: bondgen status|enslave|release|active|prio BOND ... (socket %s/BOND.sock).\n"
                "See bondgend(8).\n",
                BG_RUNDIR, BG_CONFDIR, BG_RUNDIR, BG_RUNDIR);
}

/* The model `bondgen apply` handed to this bond (RUNDIR/BOND.yaml): the
 * bond as apply started it and as it last changed it live, so a restart
 * starts from that and undoes nothing. NULL when there is none. */
static const char *handed_config(const char *bond) {
        static char own[PATH_MAX];

        if ((size_t) snprintf(own, sizeof(own), "%s/%s.yaml", bg_rundir(), bond) < sizeof(own) &&
            access(own, R_OK) == 0)
                return own;
        return NULL;
}

/* Without -c: the handed model, else the user's, else the generated one. */
static const char *default_config(const char *bond) {
        static const char *const paths[] = { BG_CONFDIR "/bondgen.yaml", BG_RUNDIR "/bondgen.yaml" };
        const char *own = handed_config(bond);

        if (own)
                return own;
        for (size_t i = 0; i < 2; i++)
                if (access(paths[i], R_OK) == 0)
                        return paths[i];
        return paths[0];
}

/* The interface whose permanent (else current) MAC is mac, read over
 * rtnetlink with the kernel backend's matching rule. */
static int port_by_mac(struct bg_core *c, const struct bg_hwaddr *mac, char name[IFNAMSIZ]) {
        struct bg_nl_state st = {};
        const struct bg_nl_link *l;
        int r;

        /* AF_PACKET ports are Ethernet: a 6-byte MAC. */
        if (mac->len != 6)
                return -EINVAL;
        r = bg_nl_read_state(c->rtnl, &st);
        if (r < 0)
                return r;
        l = bg_nl_state_link_by_mac(&st, mac->bytes);
        if (l)
                snprintf(name, IFNAMSIZ, "%s", l->name);
        bg_nl_state_free(&st);
        return l ? 0 : -ENODEV;
}

/* Run from an initramfs (/etc/initrd-release, which dracut and systemd
 * initrds have; BONDGEN_INITRD=1 from bondgen-initrd-up where the image
 * has no such file, as with initramfs-tools): the bond may carry the root
 * file system (NFS, iSCSI), so bondgend follows systemd's rule for
 * root-storage daemons (systemd.io, "Storage Daemons for the Root File
 * System"): '@' as the first character of argv[0] keeps it out of the
 * killing spree at switch-root and at the end of shutdown. Only argv[0]
 * changes, not the comm name. The real root's bondgend@BOND.service
 * takes the bond over from it (handover.c). */
static void mark_root_storage_daemon(char **argv) {
        const char *e = getenv("BONDGEN_INITRD");

        if (argv[0] && argv[0][0] && (access("/etc/initrd-release", F_OK) == 0 || (e && !strcmp(e, "1"))))
                argv[0][0] = '@';
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "verbose", no_argument, NULL, 'v' },
                { "no-addresses", no_argument, NULL, 'n' },
                { "prefer-handed", no_argument, NULL, 'P' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        const char *config = NULL, *name;
        struct bg_model model;
        char want[IFNAMSIZ] = "";
        struct bg_diags diags = {};
        struct bg_fwd_params params;
        const struct bg_bond *bond;
        struct bg_core *c;
        uint8_t mac[6];
        char err[256] = "";
        bool verbose = false, addresses = true, prefer_handed = false;
        int o, r, status = 0;

        while ((o = getopt_long(argc, argv, "c:vnh", opts, NULL)) >= 0) {
                switch (o) {
                case 'c': config = optarg; break;
                case 'v': verbose = true; break;
                case 'n': addresses = false; break;
                case 'P': prefer_handed = true; break;
                case 'h': usage(stdout); return 0;
                case 'V': printf("bondgend %s\n", BONDGEN_VERSION); return 0;
                default:
                        /* getopt_long named the option already */
                        fputs("Try 'bondgend --help'.\n", stderr);
                        return EXIT_USAGE;
                }
        }
        mark_root_storage_daemon(argv);
        if (optind != argc - 1) {
                fprintf(stderr, "bondgend: %s\nTry 'bondgend --help'.\n",
                        optind == argc ? "no BOND given" : "one BOND only");
                return EXIT_USAGE;
        }
        name = argv[optind];
        if (!*name || strlen(name) >= 16 || strchr(name, '/')) {
                fprintf(stderr, "bondgend: '%s' is not a valid interface name\n", name);
                return EXIT_USAGE;
        }
        /* Before anything is read from it (the model apply handed over). */
        r = bg_rundir_open(err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "bondgend: %s\n", r == -EPERM ? err : strerror(-r));
                return r == -EPERM ? EXIT_INVALID : EXIT_SYS;
        }
        /* bondgen-generator's drop-in: the file that defines the bond at
         * boot, and what apply handed over for any later start */
        if (config && prefer_handed && handed_config(name))
                config = handed_config(name);
        if (!config)
                config = default_config(name);

        bg_model_init(&model);
        r = bg_yaml_load_file(config, &model, &diags);
        if (r == 0 && bg_model_validate(&model, &diags) < 0)
                r = -EINVAL;
        bg_diags_print(&diags, stderr);
        bg_diags_free(&diags);
        if (r < 0) {
                if (r != -EINVAL)
                        fprintf(stderr, "bondgend: %s: %s\n", config, strerror(-r));
                bg_model_free(&model);
                return r == -EINVAL ? EXIT_INVALID : EXIT_SYS;
        }
        bond = bg_model_find_bond(&model, name);
        if (!bond) {
                fprintf(stderr, "bondgend: %s: no bond named %s\n", config, name);
                bg_model_free(&model);
                return EXIT_INVALID;
        }
        if (bg_fwd_params_from_bond(bond, &params, err, sizeof(err)) < 0) {
                fprintf(stderr, "bondgend: %s: %s: %s\n", config, name, err);
                bg_model_free(&model);
                return EXIT_INVALID;
        }
        if (!bg_fwd_mode_find(params.mode)) {
                fprintf(stderr, "bondgend: %s: mode %s is not supported by this build of bondgend\n", name,
                        bg_mode_name(params.mode));
                bg_model_free(&model);
                return EXIT_INVALID;
        }
        if (bond->mac.len && bond->mac.len != 6) {
                fprintf(stderr, "bondgend: %s: MAC address '%s' is not an Ethernet MAC\n", name,
                        BG_HWADDR_STR(&bond->mac));
                bg_model_free(&model);
                return EXIT_INVALID;
        }
        memcpy(mac, bond->mac.bytes, sizeof(mac));

        c = calloc(1, sizeof(*c));
        if (!c) {
                bg_model_free(&model);
                return EXIT_SYS;
        }
        r = bg_core_init(c, name, &params, bond->mac.len ? mac : NULL, bond->mtu);
        if (r < 0) {
                if (r == -EADDRINUSE)
                        fprintf(stderr, "bondgend: %s: another bondgend already serves this bond and did not hand it "
                                "over\n", name);
                else
                        fprintf(stderr, "bondgend: %s: cannot %s: %s\n", name, c->step ? c->step : "set up the bond",
                                strerror(-r));
                status = EXIT_SYS;
                goto out;
        }
        c->log_level = verbose ? LOG_DEBUG : LOG_INFO;
        c->model = bond;
        c->configure_addresses = addresses;
        /* the model's VLANs on this bond: bondgend's own devices where the
         * kernel has no 802.1Q (vtap.c) */
        for (size_t i = 0; i < model.n_vlans && c->n_model_vlans < BG_FWD_MAX_VLANS; i++)
                if (model.vlans[i].link && !strcmp(model.vlans[i].link, name))
                        c->model_vlans[c->n_model_vlans++] = &model.vlans[i];
        /* active_slave: after the ports, as written once they are
         * enslaved (bg_fwd_params_from_bond() refused what cannot be) */
        if (bond->opts[BG_OPT_ACTIVE_SLAVE].set && bond->opts[BG_OPT_ACTIVE_SLAVE].str)
                snprintf(want, sizeof(want), "%s", bond->opts[BG_OPT_ACTIVE_SLAVE].str);
        for (size_t i = 0; i < bond->n_ports; i++) {
                const struct bg_port *pt = &bond->ports[i];
                char found[IFNAMSIZ];
                const char *ifname = pt->name;

                /* A MAC in the model (HWADDR=) names the NIC whatever the
                 * kernel calls it now, as the kernel backend matches it. */
                if (pt->mac.len && port_by_mac(c, &pt->mac, found) == 0) {
                        if (!pt->name || strcmp(pt->name, found))
                                bg_core_log(c, LOG_INFO, "port %s: MAC %s is %s",
                                            pt->name ? pt->name : BG_HWADDR_STR(&pt->mac),
                                            BG_HWADDR_STR(&pt->mac), found);
                        ifname = found;
                        /* the name active_slave gives is the model's */
                        if (pt->name && !strcmp(pt->name, want))
                                snprintf(want, sizeof(want), "%s", found);
                }
                if (i == 0 && ifname)
                        snprintf(c->first_port, sizeof(c->first_port), "%s", ifname);
                if (!ifname) {
                        bg_core_log(c, LOG_WARNING,
                                    "no interface has MAC %s yet; the udev hotplug rule enslaves it when it appears",
                                    pt->mac.len ? BG_HWADDR_STR(&pt->mac) : "?");
                        continue;
                }
                r = bg_core_enslave(c, ifname, true);
                if (r < 0)
                        bg_core_log(c, LOG_ERR, "cannot enslave %s: %s", ifname, strerror(-r));
        }
        if (want[0])
                bg_core_want_active(c, want);
        r = bg_core_run(c);
        if (r < 0) {
                bg_core_log(c, LOG_ERR, "cannot %s: %s", c->step ? c->step : "run the event loop", strerror(-r));
                status = EXIT_SYS;
        } else
                status = r;
out:
        bg_core_free(c);
        free(c);
        bg_model_free(&model);
        return status;
}
