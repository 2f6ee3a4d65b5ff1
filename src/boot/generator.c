/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen-generator's decisions and output. Only unit links and drop-ins,
 * only in the normal directory (systemd.generator(7): "generators should
 * only be used to generate unit files, .d/ drop-ins for them and
 * symlinks to them"; the normal directory keeps /etc above us, so an admin
 * can still override anything). Conversion and validation happen later in
 * bondgen-apply.service, where the journal records them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "util/util.h"

#define APPLY_UNIT "bondgen-apply.service"
#define FWD_TEMPLATE "bondgend@.service"
#define WANTS_DIR "sysinit.target.wants"
#define DROPIN_NAME "50-bondgen-generator.conf"
#define RUN_DIR "/run/bondgen"

char *bg_boot_exec_quote(const char *arg) {
        static const char hex[] = "0123456789abcdef";
        char *out = malloc(strlen(arg) * 4 + 3), *o = out;

        if (!out)
                return NULL;
        *o++ = '"';
        for (const unsigned char *c = (const unsigned char *) arg; *c; c++) {
                if (*c == '%') {
                        *o++ = '%';
                        *o++ = '%';
                } else if (*c == '\\' || *c == '"') {
                        *o++ = '\\';
                        *o++ = (char) *c;
                } else if (*c < 0x20 || *c == 0x7f) {
                        *o++ = '\\';
                        *o++ = 'x';
                        *o++ = hex[*c >> 4];
                        *o++ = hex[*c & 15];
                } else
                        *o++ = (char) *c;
        }
        *o++ = '"';
        *o = 0;
        return out;
}

/* A file name for a path setting such as SourcePath=: '%' doubled; names
 * with control bytes (which no setting can carry) give NULL, and the
 * setting is left out. */
static char *setting_path(const char *dir, const char *name) {
        char *out, *o;

        for (const char *c = name; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return NULL;
        out = malloc(strlen(dir) + 2 * strlen(name) + 2);
        if (!out)
                return NULL;
        o = stpcpy(stpcpy(out, dir), "/");
        for (const char *c = name; *c; c++) {
                if (*c == '%')
                        *o++ = '%';
                *o++ = *c;
        }
        *o = 0;
        return out;
}

char *bg_boot_unit_path_escape(const char *path, const char *suffix) {
        static const char hex[] = "0123456789abcdef";
        const char *s = path;
        size_t l = strlen(path);
        char *out, *o;

        while (*s == '/')
                s++, l--;
        while (l > 0 && s[l - 1] == '/')
                l--;
        out = malloc(l * 4 + strlen(suffix) + 2);
        if (!out)
                return NULL;
        o = out;
        if (l == 0)
                *o++ = '-';
        for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (c == '/') {
                        /* systemd-escape --path collapses repeated slashes */
                        if (i > 0 && s[i - 1] == '/')
                                continue;
                        *o++ = '-';
                } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == ':' || c == '_' ||
                           (c == '.' && i > 0)) {
                        *o++ = c;
                } else {
                        *o++ = '\\';
                        *o++ = 'x';
                        *o++ = hex[((unsigned char) c) >> 4];
                        *o++ = hex[((unsigned char) c) & 15];
                }
        }
        strcpy(o, suffix);
        return out;
}

static int dir_path(const char *base, const char *sub, char **out) {
        if (asprintf(out, "%s/%s", base, sub) < 0) {
                *out = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* mkdir of a directory whose parent usually exists: one syscall in the
 * common case, mkdir -p only when needed. */
static int make_dir(const char *d) {
        if (mkdir(d, 0755) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return -errno;
        return bg_mkdir_p(d, 0755);
}

/* base/dir/name -> target, creating base/dir. An existing link with the
 * same name (a second run into the same directory) is replaced. */
static int link_unit(const char *base, const char *dir, const char *name, const char *target) {
        _cleanup_free_ char *d = NULL, *p = NULL;
        int r;

        if (dir_path(base, dir, &d) < 0 || asprintf(&p, "%s/%s", d, name) < 0)
                return -ENOMEM;
        r = make_dir(d);
        if (r < 0)
                return r;
        if (symlink(target, p) < 0) {
                if (errno != EEXIST)
                        return -errno;
                if (unlink(p) < 0 || symlink(target, p) < 0)
                        return -errno;
        }
        return 0;
}

/* The output directories are emptied before every run and read only after
 * all generators have finished: no temporary file, no fsync (which would
 * cost milliseconds per file on a disk; /run is tmpfs anyway). */
static int write_file(const char *path, const char *text) {
        size_t len = strlen(text), off = 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

        if (fd < 0)
                return -errno;
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        close(fd);
                        return r;
                }
                off += (size_t) n;
        }
        if (close(fd) < 0)
                return -errno;
        return 0;
}

static int write_dropin(const char *base, const char *unit, const char *text) {
        _cleanup_free_ char *d = NULL, *p = NULL;
        int r;

        if (asprintf(&d, "%s/%s.d", base, unit) < 0 || asprintf(&p, "%s/%s", d, DROPIN_NAME) < 0)
                return -ENOMEM;
        r = make_dir(d);
        if (r < 0)
                return r;
        return write_file(p, text);
}

/* A growing string; any allocation failure sticks and shows at the end. */
struct buf {
        char *s;
        size_t len;
        bool oom;
};

__attribute__((format(printf, 2, 3)))
static void bprintf(struct buf *b, const char *fmt, ...) {
        va_list ap;
        char *add;
        int n;

        if (b->oom)
                return;
        va_start(ap, fmt);
        n = vasprintf(&add, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        char *ns = realloc(b->s, b->len + (size_t) n + 1);
        if (!ns) {
                free(add);
                b->oom = true;
                return;
        }
        memcpy(ns + b->len, add, (size_t) n + 1);
        b->s = ns;
        b->len += (size_t) n;
        free(add);
}

static const char *source_path(enum bg_boot_source src) {
        switch (src) {
        case BG_BOOT_SRC_YAML: return "/etc/bondgen";
        case BG_BOOT_SRC_CMDLINE: return "/proc/cmdline";
        default: return "/etc/sysconfig/network-scripts";
        }
}

/* The model file bondgen-apply.service writes for this source, or NULL when
 * the user's own files are used as they are. */
static const char *runtime_model(enum bg_boot_source src) {
        switch (src) {
        case BG_BOOT_SRC_CMDLINE: return RUN_DIR "/cmdline.yaml";
        case BG_BOOT_SRC_LEGACY: return RUN_DIR "/legacy.yaml";
        default: return NULL;
        }
}

static char *convert_cmd(const struct bg_gen_opts *o, enum bg_boot_source src);

static int write_apply_dropin(const struct bg_gen_opts *o, enum bg_boot_source src,
                              const struct bg_boot_set *set, struct bg_diags *diags) {
        struct buf b = { 0 };
        const char *model = runtime_model(src);
        bool named_ports = false;
        int r;

        bprintf(&b, "# Automatically generated by bondgen-generator\n\n[Unit]\nSourcePath=%s\n",
                source_path(src));
        /* Wait for the named ports' device units: they appear once udev has
         * processed (and renamed) the NIC, which is what
         * systemd-udev-settle would give, but only for the NICs needed. A
         * missing NIC costs at most the device timeout; when it shows up
         * later the udev rule enslaves it. MAC-matched ports have no name
         * to wait for; the hotplug rule covers them. */
        for (size_t i = 0; i < set->n_bonds; i++)
                for (size_t j = 0; j < set->bonds[i].n_ports; j++) {
                        const char *pn = set->bonds[i].ports[j].name;
                        _cleanup_free_ char *path = NULL, *unit = NULL;
                        if (!pn)
                                continue;
                        if (asprintf(&path, "/sys/subsystem/net/devices/%s", pn) < 0) {
                                b.oom = true;
                                break;
                        }
                        unit = bg_boot_unit_path_escape(path, ".device");
                        if (!unit) {
                                b.oom = true;
                                break;
                        }
                        bprintf(&b, "Wants=%s\nAfter=%s\n", unit, unit);
                        named_ports = true;
                }
        /* The NICs VLANs sit on and bridges take as ports: apply brings
         * those up after the bonds, and a missing one is only warned, so
         * they are waited for the same way (bonds, VLANs and bridges of
         * the model are made by apply, not by udev). */
        for (size_t i = 0; i < set->n_lower && !b.oom; i++) {
                const char *ln = set->lower[i];
                bool made = bg_boot_set_find(set, ln) != NULL;
                _cleanup_free_ char *path = NULL, *unit = NULL;

                for (size_t k = 0; k < set->n_stacked && !made; k++)
                        made = !strcmp(set->stacked[k], ln);
                for (size_t k = 0; k < set->n_bonds && !made; k++)
                        for (size_t j = 0; j < set->bonds[k].n_ports && !made; j++)
                                made = set->bonds[k].ports[j].name && !strcmp(set->bonds[k].ports[j].name, ln);
                if (made)
                        continue;
                if (asprintf(&path, "/sys/subsystem/net/devices/%s", ln) < 0 ||
                    !(unit = bg_boot_unit_path_escape(path, ".device"))) {
                        b.oom = true;
                        break;
                }
                bprintf(&b, "Wants=%s\nAfter=%s\n", unit, unit);
                named_ports = true;
        }
        /* One prefix drop-in (systemd.unit(5): "foo-.service.d/" applies to
         * every "foo-*.service") bounds the wait for all NIC device units,
         * instead of one file per port. */
        if (named_ports && o->device_timeout_sec > 0) {
                char t[160];
                snprintf(t, sizeof(t),
                         "# Automatically generated by bondgen-generator\n\n"
                         "[Unit]\nJobRunningTimeoutSec=%us\n", o->device_timeout_sec);
                r = write_dropin(o->normal_dir, "sys-subsystem-net-devices-.device", t);
                if (r < 0) {
                        struct bg_loc loc = { o->normal_dir, 0, 0 };
                        bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL,
                                    "cannot write the device timeout: %s", strerror(-r));
                }
        }
        if (model) {
                bprintf(&b, "\n[Service]\nEnvironment=BONDGEN_SOURCE=%s\n", bg_boot_source_name(src));
                /* '-': a source with a bad bond still writes what it can;
                 * apply then reports what is missing. */
                _cleanup_free_ char *conv = convert_cmd(o, src);
                if (!conv)
                        b.oom = true;
                else
                        bprintf(&b, "ExecStartPre=-%s\n", conv);
                bprintf(&b, "ExecStart=\nExecStart=%s/bondgen apply -c %s\n", o->sbin_dir, model);
        } else
                bprintf(&b, "\n[Service]\nEnvironment=BONDGEN_SOURCE=%s\n", bg_boot_source_name(src));
        if (b.oom) {
                free(b.s);
                return -ENOMEM;
        }
        r = write_dropin(o->normal_dir, APPLY_UNIT, b.s);
        free(b.s);
        return r;
}

/* The command that writes the runtime model of a converted source. */
static char *convert_cmd(const struct bg_gen_opts *o, enum bg_boot_source src) {
        char *c;
        int r;

        if (src == BG_BOOT_SRC_LEGACY)
                r = asprintf(&c, "%s/bondgen convert --root / --force --partial -o %s", o->sbin_dir,
                             runtime_model(src));
        else
                r = asprintf(&c, "%s/bondgen-cmdline -o %s", o->libexec_dir, runtime_model(src));
        return r < 0 ? NULL : c;
}

static int write_fwd(const struct bg_gen_opts *o, enum bg_boot_source src,
                     const struct bg_boot_bond *bond) {
        _cleanup_free_ char *inst = NULL, *unit = NULL, *target = NULL, *text = NULL, *conv = NULL;
        const char *model = runtime_model(src);
        int r;

        inst = bg_boot_unit_path_escape(bond->name, "");
        if (!inst || asprintf(&unit, "bondgend@%s.service", inst) < 0 ||
            asprintf(&target, "%s/%s", o->unit_dir, FWD_TEMPLATE) < 0)
                return -ENOMEM;
        r = link_unit(o->normal_dir, WANTS_DIR, unit, target);
        if (r < 0)
                return r;
        if (!model) {
                /* bondgend reads one file: the one that defines this bond at
                 * boot; at a later start (a restart, Restart=) the one apply
                 * handed over, the bond as apply last changed it. */
                if (!bond->source)
                        return 0;
                /* The file name is whatever the admin chose: spaces, '%',
                 * even a newline must not change the unit. */
                _cleanup_free_ char *full = NULL, *arg = NULL, *sp = NULL;
                if (asprintf(&full, "/etc/bondgen/%s", bond->source) < 0 ||
                    !(arg = bg_boot_exec_quote(full)))
                        return -ENOMEM;
                sp = setting_path("/etc/bondgen", bond->source);
                if (asprintf(&text,
                             "# Automatically generated by bondgen-generator\n\n"
                             "[Unit]\n%s%s%s\n[Service]\n"
                             "ExecStart=\nExecStart=%s/bondgend --prefer-handed -c %s %%I\n",
                             sp ? "SourcePath=" : "", sp ? sp : "", sp ? "\n" : "",
                             o->sbin_dir, arg) < 0)
                        return -ENOMEM;
                return write_dropin(o->normal_dir, unit, text);
        }
        /* bondgend@ is not ordered after bondgen-apply.service (apply runs
         * "systemctl start bondgend@..." and waits for it), so it writes the
         * runtime model itself too; both writes are atomic renames of the
         * same content. */
        conv = convert_cmd(o, src);
        if (!conv || asprintf(&text,
                     "# Automatically generated by bondgen-generator\n\n"
                     "[Unit]\nSourcePath=%s\n\n[Service]\n"
                     "ExecStartPre=-%s\n"
                     "ExecStart=\nExecStart=%s/bondgend --prefer-handed -c %s %%I\n",
                     source_path(src), conv, o->sbin_dir, model) < 0)
                return -ENOMEM;
        return write_dropin(o->normal_dir, unit, text);
}

int bg_boot_generate(const struct bg_gen_opts *o, struct bg_gen_result *res,
                     struct bg_diags *diags) {
        struct bg_boot_set yaml = { 0 }, cmd = { 0 }, legacy = { 0 };
        const struct bg_boot_set *set;
        _cleanup_free_ char *confdir = NULL, *target = NULL;
        struct bg_loc loc = { NULL, 0, 0 };
        unsigned n_yaml = 0;
        bool legacy_found = false;
        int r, ret = 0;

        memset(res, 0, sizeof(*res));
        if (bg_boot_cmdline_disabled(o->cmdline)) {
                res->disabled = true;
                bg_diag_add(diags, BG_DIAG_NOTE, NULL, NULL,
                            "disabled on the kernel command line (bondgen=off)");
                return 0;
        }

        confdir = bg_boot_path(o->root, "etc/bondgen");
        if (!confdir)
                return -ENOMEM;
        r = bg_boot_scan_yaml_dir(confdir, &yaml, &n_yaml, diags);
        if (r == -ENOMEM)
                goto out_oom;
        r = bg_boot_cmdline_bonds(o->cmdline, &cmd, diags);
        if (r == -ENOMEM)
                goto out_oom;
        r = bg_boot_scan_legacy(o->root, &legacy, &legacy_found, diags);
        if (r == -ENOMEM)
                goto out_oom;

        if (n_yaml > 0) {
                res->source = BG_BOOT_SRC_YAML;
                set = &yaml;
        } else if (cmd.n_bonds > 0) {
                res->source = BG_BOOT_SRC_CMDLINE;
                set = &cmd;
        } else if (legacy_found) {
                res->source = BG_BOOT_SRC_LEGACY;
                set = &legacy;
        } else {
                res->source = BG_BOOT_SRC_NONE;
                goto out;
        }
        if (res->source != BG_BOOT_SRC_LEGACY && legacy_found) {
                loc.file = "/etc/sysconfig/network-scripts";
                bg_diag_add(diags, BG_DIAG_NOTE, &loc, NULL,
                            "legacy bonding files ignored: the %s model takes precedence",
                            bg_boot_source_name(res->source));
        }
        if (res->source == BG_BOOT_SRC_YAML && cmd.n_bonds > 0) {
                loc.file = "/proc/cmdline";
                bg_diag_add(diags, BG_DIAG_NOTE, &loc, "bond",
                            "bond= ignored: %s/*.yaml takes precedence", "/etc/bondgen");
        }

        res->n_bonds = set->n_bonds;
        res->have_bonding = bg_have_bonding_driver(o->root, o->release);

        if (asprintf(&target, "%s/%s", o->unit_dir, APPLY_UNIT) < 0)
                goto out_oom;
        r = link_unit(o->normal_dir, WANTS_DIR, APPLY_UNIT, target);
        if (r < 0) {
                loc.file = o->normal_dir;
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, APPLY_UNIT, "cannot link: %s",
                            strerror(-r));
                ret = r;
                goto out;
        }
        r = write_apply_dropin(o, res->source, set, diags);
        if (r < 0) {
                loc.file = o->normal_dir;
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, APPLY_UNIT, "cannot write drop-in: %s",
                            strerror(-r));
                ret = r;
        }

        for (size_t i = 0; i < set->n_bonds; i++) {
                const struct bg_boot_bond *b = &set->bonds[i];
                bool user = b->backend == BG_BACKEND_USERSPACE ||
                            (b->backend == BG_BACKEND_AUTO && !res->have_bonding);
                if (!user)
                        continue;
                r = write_fwd(o, res->source, b);
                if (r < 0) {
                        loc.file = o->normal_dir;
                        bg_diag_add(diags, BG_DIAG_ERROR, &loc, b->name,
                                    "cannot link bondgend@.service: %s", strerror(-r));
                        ret = r;
                        continue;
                }
                res->n_userspace++;
        }
        if (res->n_userspace > 0 && !res->have_bonding)
                bg_diag_add(diags, BG_DIAG_NOTE, NULL, NULL,
                            "no bonding driver for kernel %s: %zu bond(s) run in user space (bondgend)",
                            o->release ? o->release : "?", res->n_userspace);
out:
        bg_boot_set_free(&yaml);
        bg_boot_set_free(&cmd);
        bg_boot_set_free(&legacy);
        return ret;
out_oom:
        ret = -ENOMEM;
        goto out;
}
