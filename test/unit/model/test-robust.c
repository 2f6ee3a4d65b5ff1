/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regressions found by the fuzzers (test/fuzz), one test each. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "model/model.h"

/* fuzz-options: "queue_id=edh:03 queue_id=eth:03" was accepted although a
 * queue may serve one port only: the duplicate check compared the stored
 * canonical "3" with the raw "03". Validation, which re-parses the list,
 * then refused what the readers had accepted. */
Test(robust, queue_id_duplicate_with_leading_zero) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_QUEUE_ID);
        struct bg_optval v = { 0 };
        char err[256];

        cr_assert_eq(bg_opt_parse_value(o, "eth0:3", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_opt_parse_value(o, "eth1:03", &v, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "already used by eth0"), "%s", err);
        cr_assert_eq(bg_opt_parse_value(o, "eth1:3", &v, err, sizeof(err)), -EINVAL);
        cr_assert_eq(v.n_list, 1);
        /* the same port again replaces its queue, leading zeros or not */
        cr_assert_eq(bg_opt_parse_value(o, "eth0:04", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_str_eq(v.list[0], "eth0:4");
        bg_optval_clear(&v);
}

/* fuzz-options: "queue_id=eth0:4 queue_id=eth1:3 queue_id=eth0:3" left two
 * ports on queue 3: a port already in the list took its new queue before
 * the other ports were checked. */
Test(robust, queue_id_port_moving_to_a_used_queue) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_QUEUE_ID);
        struct bg_optval v = { 0 };
        char err[256];

        cr_assert_eq(bg_opt_parse_value(o, "eth0:4", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_opt_parse_value(o, "eth1:3", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_opt_parse_value(o, "eth0:3", &v, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "already used by eth1"), "%s", err);
        cr_assert_str_eq(v.list[0], "eth0:4", "left as it was");
        /* queue 0 (the normal policy) may be shared */
        cr_assert_eq(bg_opt_parse_value(o, "eth0:0", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_opt_parse_value(o, "eth1:0", &v, err, sizeof(err)), 0, "%s", err);
        cr_assert_str_eq(v.list[0], "eth0:0");
        cr_assert_str_eq(v.list[1], "eth1:0");
        bg_optval_clear(&v);
}
