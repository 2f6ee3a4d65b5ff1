/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared by the files of src/apply only. */
#include "apply.h"

/* One line of progress to o->report ("bond0: enslave eth0"), if set. */
void bg_apply_say(const struct bg_apply_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Is there a bonding driver for the running kernel (apply.c)? */
bool bg_apply_kernel_has_bonding(void);
