/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The udev hotplug helper against a fake root: decisions, and the control
 * socket round trip of the real program against a fake bondgend. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/boot.h"
#include "boot/hotplug.h"
#include "util/util.h"
#include "yaml/yaml.h"

static char root[64];

static void put(const char *rel, const char *text) {
        char *p, *dir;
        cr_assert(asprintf(&p, "%s/%s", root, rel) > 0);
        dir = strdup(p);
        *strrchr(dir, '/') = 0;
        cr_assert_eq(bg_mkdir_p(dir, 0755), 0);
        cr_assert_eq(bg_write_file_atomic(p, text, strlen(text), 0644, true), 0);
        free(p);
        free(dir);
}

static void mkdirs(const char *rel) {
        char *p;
        cr_assert(asprintf(&p, "%s/%s", root, rel) > 0);
        cr_assert_eq(bg_mkdir_p(p, 0755), 0);
        free(p);
}

static int listen_at(const char *rel) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", root, rel);
        cr_assert_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0, "%s: %m", sa.sun_path);
        cr_assert_eq(listen(fd, 4), 0);
        return fd;
}

static int lfd = -1;

static void setup(void) {
        char *p;
        strcpy(root, "/tmp/bg-boot-hp-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        put("etc/bondgen/site.yaml",
            "version: 1\n"
            "bonds:\n"
            "  - name: bond0\n"
            "    ports: [{name: eth0}, {name: eth1}, {mac: '52:54:00:00:00:02'}]\n"
            "  - name: ub0\n"
            "    backend: userspace\n"
            "    ports: [{name: eth5}]\n");
        put("sys/class/net/eth0/address", "52:54:00:00:00:00\n");
        put("sys/class/net/eth1/address", "52:54:00:00:00:01\n");
        put("sys/class/net/eth2/address", "52:54:00:00:00:02\n");
        put("sys/class/net/eth5/address", "52:54:00:00:00:05\n");
        put("sys/class/net/eth6/address", "52:54:00:00:00:06\n");
        mkdirs("sys/class/net/bond0/bonding");
        cr_assert(asprintf(&p, "%s/sys/class/net/eth1/master", root) > 0);
        cr_assert_eq(symlink("../bond0", p), 0);
        free(p);
        mkdirs("run/bondgen");
        lfd = listen_at("run/bondgen/ub0.sock");
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f) {
        return remove(p);
}

static void teardown(void) {
        if (lfd >= 0)
                close(lfd);
        nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(hotplug, .init = setup, .fini = teardown);

static void expect(const char *ifname, const char *mac, enum bg_hotplug_action a, const char *bond) {
        struct bg_hotplug_decision d;
        struct bg_diags diags = { 0 };
        cr_assert_eq(bg_hotplug_decide(root, ifname, mac, &d, &diags), 0, "%s", ifname);
        cr_assert_eq(d.action, a, "%s: got %s", ifname, bg_hotplug_action_name(d.action));
        cr_assert_str_eq(d.bond, bond, "%s", ifname);
        cr_assert_eq(diags.n, 0);
        bg_diags_free(&diags);
}

Test(hotplug, decisions) {
        expect("eth0", NULL, BG_HP_KERNEL, "bond0");
        expect("eth1", NULL, BG_HP_ALREADY, "bond0");
        expect("eth2", NULL, BG_HP_KERNEL, "bond0");               /* by MAC from sysfs */
        expect("renamed0", "52:54:00:00:00:02", BG_HP_KERNEL, "bond0"); /* by MAC given */
        expect("eth5", NULL, BG_HP_SOCKET, "ub0");
        expect("eth6", NULL, BG_HP_NOT_A_PORT, "");
        expect("eth9", NULL, BG_HP_NOT_A_PORT, "");                /* no sysfs entry */
        expect("bond0", NULL, BG_HP_NOT_A_PORT, "");
}

/* The model's first port gives a kernel bond its MAC when it joins late
 * (bondgen(8), BOND MAC ADDRESS); a bond with `mac:` or fail_over_mac=active
 * keeps its own. */
Test(hotplug, first_port_gives_the_mac) {
        struct bg_hotplug_decision d;
        struct bg_diags diags = { 0 };

        put("etc/bondgen/more.yaml",
            "version: 1\n"
            "bonds:\n"
            "  - name: bond7\n"
            "    mac: 52:54:00:00:00:77\n"
            "    ports: [{name: eth7}]\n"
            "  - name: bond8\n"
            "    mode: active-backup\n"
            "    options: {fail_over_mac: active}\n"
            "    ports: [{name: eth8}]\n");
        put("sys/class/net/eth7/address", "52:54:00:00:00:07\n");
        put("sys/class/net/eth8/address", "52:54:00:00:00:08\n");
        /* as sysfs has them: a page whatever the text (st_size 4096); eth2
         * is found by its MAC only */
        char page[4096];
        memset(page, ' ', sizeof(page));
        page[sizeof(page) - 1] = 0;
        memcpy(page, "52:54:00:00:00:00\n", 18);
        put("sys/class/net/eth0/address", page);
        memcpy(page, "52:54:00:00:00:02\n", 18);
        put("sys/class/net/eth2/address", page);
        mkdirs("sys/class/net/bond7/bonding");
        mkdirs("sys/class/net/bond8/bonding");
        cr_assert_eq(bg_hotplug_decide(root, "eth0", NULL, &d, &diags), 0);
        cr_expect_eq(d.action, BG_HP_KERNEL);
        cr_expect(d.first_port);
        cr_expect_str_eq(d.mac, "52:54:00:00:00:00");
        cr_assert_eq(bg_hotplug_decide(root, "eth2", NULL, &d, &diags), 0);   /* the third port */
        cr_expect_eq(d.action, BG_HP_KERNEL);
        cr_expect_not(d.first_port);
        cr_assert_eq(bg_hotplug_decide(root, "eth7", NULL, &d, &diags), 0);
        cr_expect_eq(d.action, BG_HP_KERNEL);
        cr_expect_not(d.first_port, "bond7 has a mac: of its own");
        cr_assert_eq(bg_hotplug_decide(root, "eth8", NULL, &d, &diags), 0);
        cr_expect_eq(d.action, BG_HP_KERNEL);
        cr_expect_not(d.first_port, "bond8 follows its active port");
        cr_expect_eq(diags.n, 0);
        bg_diags_free(&diags);
}

Test(hotplug, bond_not_up_and_runtime_model) {
        char *p;
        cr_assert(asprintf(&p, "%s/etc/bondgen/site.yaml", root) > 0);
        cr_assert_eq(unlink(p), 0);
        free(p);
        /* Without /etc/bondgen models the generated one counts. */
        put("run/bondgen/legacy.yaml",
            "version: 1\nbonds:\n  - name: bond3\n    ports: [{name: eth6}]\n");
        expect("eth6", NULL, BG_HP_BOND_NOT_UP, "bond3");
        expect("eth0", NULL, BG_HP_NOT_A_PORT, "");
}

Test(hotplug, bad_names) {
        struct bg_hotplug_decision d;
        struct bg_diags diags = { 0 };
        cr_assert_eq(bg_hotplug_decide(root, "../etc", NULL, &d, &diags), -EINVAL);
        cr_assert_eq(bg_hotplug_decide(root, "", NULL, &d, &diags), -EINVAL);
        cr_assert_eq(bg_hotplug_decide(root, "averyveryverylongname", NULL, &d, &diags), -EINVAL);
        bg_diags_free(&diags);
}

/* A fake bondgend: read one request, answer it. */
struct fake {
        int fd;
        const char *answer;
        char got[128];
};

static void *serve(void *arg) {
        struct fake *f = arg;
        int c = accept(f->fd, NULL, NULL);
        ssize_t n;
        if (c < 0)
                return NULL;
        n = read(c, f->got, sizeof(f->got) - 1);
        f->got[n > 0 ? n : 0] = 0;
        if (write(c, f->answer, strlen(f->answer)) < 0)
                f->got[0] = '!';
        close(c);
        return NULL;
}

static int run_helper(const char *args) {
        char *cmd;
        int st;
        cr_assert(asprintf(&cmd, "BONDGEN_ROOT='%s' '%s' %s 2>/dev/null", root,
                           getenv("BG_BOOT_HOTPLUG"), args) > 0);
        st = system(cmd);
        free(cmd);
        cr_assert(WIFEXITED(st));
        return WEXITSTATUS(st);
}

Test(hotplug, socket_round_trip) {
        struct fake f = { .fd = lfd, .answer = "ok enslaved eth5\n" };
        pthread_t t;

        cr_assert_eq(pthread_create(&t, NULL, serve, &f), 0);
        cr_assert_eq(run_helper("eth5"), 0);
        pthread_join(t, NULL);
        cr_assert_str_eq(f.got, "enslave eth5\n");

        f.answer = "error: eth5: no such device\n";
        cr_assert_eq(pthread_create(&t, NULL, serve, &f), 0);
        cr_assert_eq(run_helper("eth5"), 1, "a refusal is exit status 1");
        pthread_join(t, NULL);
}

Test(hotplug, program_nothing_to_do_and_usage) {
        cr_assert_eq(run_helper("eth6"), 0);
        cr_assert_eq(run_helper("--dry-run eth0 >/dev/null"), 0);
        cr_assert_eq(run_helper(""), 2);
        cr_assert_eq(run_helper("--mac zz eth0"), 2);
        cr_assert_eq(run_helper("'../x'"), 2);
}

/* Hostile model files beside the site's (a FIFO, 300,000 '[', a file over
 * the loader's size limit): the helper reads them with the model loader,
 * names each one it refuses and still decides from the good file; the
 * criterion timeout catches a hang (udev would kill the worker instead). */
Test(hotplug, hostile_model_files, .timeout = 30) {
        struct bg_hotplug_decision d;
        struct bg_diags diags = { 0 };
        size_t n = 300000, pre = strlen("version: 1\nbonds: ");
        char *y = malloc(BG_YAML_MAX_SIZE + 2), *p;
        static const char *const want[][2] = {
                { "/etc/bondgen/a.yaml", "not a regular file" },
                { "/etc/bondgen/b.yaml", "nesting too deep (more than 64 levels)" },
                { "/etc/bondgen/c.yaml", "file too large" },
        };

        cr_assert(y);
        cr_assert(asprintf(&p, "%s/etc/bondgen/a.yaml", root) > 0);
        cr_assert_eq(mkfifo(p, 0644), 0);
        free(p);
        memcpy(y, "version: 1\nbonds: ", pre);
        memset(y + pre, '[', n);
        y[pre + n] = 0;
        put("etc/bondgen/b.yaml", y);
        memset(y + pre, ' ', BG_YAML_MAX_SIZE + 1 - pre);
        y[BG_YAML_MAX_SIZE + 1] = 0;
        put("etc/bondgen/c.yaml", y);
        free(y);

        cr_assert_eq(bg_hotplug_decide(root, "eth0", NULL, &d, &diags), 0);
        cr_assert_eq(d.action, BG_HP_KERNEL, "got %s", bg_hotplug_action_name(d.action));
        cr_assert_str_eq(d.bond, "bond0");
        cr_assert_eq(bg_diags_count(&diags, BG_DIAG_ERROR), diags.n, "errors only");
        for (size_t i = 0; i < 3; i++) {
                bool found = false;
                for (size_t j = 0; j < diags.n && !found; j++)
                        found = strstr(diags.v[j].file, want[i][0]) && strstr(diags.v[j].msg, want[i][1]);
                cr_assert(found, "no error naming %s: %s", want[i][0], want[i][1]);
        }
        bg_diags_free(&diags);
}
