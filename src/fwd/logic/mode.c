/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fwd/logic/fwd.h"

/* One row per mode: the seven of enum bg_mode. */
const struct bg_fwd_mode_ops *bg_fwd_mode_find(enum bg_mode m) {
        switch (m) {
        case BG_MODE_BALANCE_RR: return &bg_fwd_mode_rr;
        case BG_MODE_ACTIVE_BACKUP: return &bg_fwd_mode_ab;
        case BG_MODE_BALANCE_XOR: return &bg_fwd_mode_xor;
        case BG_MODE_BROADCAST: return &bg_fwd_mode_bcast;
        case BG_MODE_8023AD: return &bg_fwd_mode_8023ad;
        case BG_MODE_BALANCE_TLB: return &bg_fwd_mode_tlb;
        case BG_MODE_BALANCE_ALB: return &bg_fwd_mode_alb;
        default: return NULL;
        }
}
