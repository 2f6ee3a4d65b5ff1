/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filled in by its issue. */
#include <stddef.h>
