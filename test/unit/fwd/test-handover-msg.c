/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handover answer between two bondgends (src/fwd/logic/handover.c):
 * one line per file descriptor, the names and their number checked before
 * a descriptor is used. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fwd/logic/handover.h"

static struct bg_handover_fd out[BG_HANDOVER_MAX_FDS];

Test(handover, format_then_parse_gives_the_same_list) {
        const struct bg_handover_fd in[] = {
                { BG_HO_TAP, "bond0" }, { BG_HO_PORT, "eth0" }, { BG_HO_PORT, "eth1" }, { BG_HO_VTAP, "bond0.100" },
        };
        char buf[256];

        cr_assert_eq(bg_handover_format(in, 4, buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "tap bond0\nport eth0\nport eth1\nvtap bond0.100\n");
        cr_assert_eq(bg_handover_parse(buf, 4, out), 0);
        for (int i = 0; i < 4; i++) {
                cr_assert_eq(out[i].kind, in[i].kind, "line %d", i);
                cr_assert_str_eq(out[i].name, in[i].name, "line %d", i);
        }
}

Test(handover, the_last_line_may_lack_its_newline) {
        cr_assert_eq(bg_handover_parse("tap b0\nport p0", 2, out), 0);
        cr_assert_str_eq(out[1].name, "p0");
        cr_assert_eq(bg_handover_parse("", 0, out), 0, "nothing to hand over: no line, no fd");
}

Test(handover, lines_and_descriptors_must_agree_in_number) {
        cr_assert_eq(bg_handover_parse("tap b0\nport p0\n", 1, out), -EBADMSG, "a line without its fd");
        cr_assert_eq(bg_handover_parse("tap b0\n", 2, out), -EBADMSG, "an fd without its line");
        cr_assert_eq(bg_handover_parse("", BG_HANDOVER_MAX_FDS + 1, out), -EBADMSG);
}

Test(handover, malformed_lines_are_refused) {
        static const char *const bad[] = {
                "tap\n",                /* no name */
                "tap \n",               /* empty name */
                "nic eth0\n",           /* unknown kind */
                "Tap eth0\n",
                "port eth0 extra\n",    /* white space in a name */
                "port ../x\n",          /* no '/' */
                "port ..\n",
                "port a:b\n",
                "port 0123456789abcdef\n", /* 16 bytes: one too many */
                "port e\tx\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(bg_handover_parse(bad[i], 1, out), -EBADMSG, "accepted %s", bad[i]);
        cr_assert_eq(bg_handover_parse("port 0123456789abcde\n", 1, out), 0, "15 bytes is a name");
}

Test(handover, one_tap_and_no_name_twice_for_a_kind) {
        cr_assert_eq(bg_handover_parse("tap b0\ntap b1\n", 2, out), -EBADMSG);
        cr_assert_eq(bg_handover_parse("port p0\nport p0\n", 2, out), -EBADMSG);
        cr_assert_eq(bg_handover_parse("port b0\ntap b0\n", 2, out), 0, "a kind each: no clash");
}

Test(handover, format_refuses_what_parse_would) {
        struct bg_handover_fd in[] = { { BG_HO_PORT, "a/b" } };
        char small[8];

        cr_assert_eq(bg_handover_format(in, 1, small, sizeof(small)), -EINVAL);
        strcpy(in[0].name, "eth0");
        in[0].kind = (enum bg_handover_kind) 7;
        cr_assert_eq(bg_handover_format(in, 1, small, sizeof(small)), -EINVAL);
        in[0].kind = BG_HO_PORT;
        cr_assert_eq(bg_handover_format(in, 1, small, sizeof(small)), -ENOBUFS, "\"port eth0\\n\" is 10 bytes");
}
