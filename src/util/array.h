/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Growing a heap array: the one idiom of the code base, as macros so the
 * element type stays checked. Header only (libc), so every module may use
 * it, model/ included. On failure the array and its counts are unchanged
 * and errno is ENOMEM; nothing is freed. Arguments may be evaluated more
 * than once: pass plain lvalues (a field, a variable). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One more element at the end of arr (n elements): a pointer to the new,
 * zeroed slot arr[n], or NULL. n is not changed: the caller counts the
 * element once it is filled, so a half-built element is never counted. */
#define BG_NEW_SLOT(arr, n)                                                          \
        __extension__({                                                              \
                __typeof__(arr) bg_v_ = reallocarray((arr), (n) + 1, sizeof(*(arr))); \
                if (bg_v_) {                                                         \
                        (arr) = bg_v_;                                               \
                        bg_v_ += (n);                                                \
                        memset(bg_v_, 0, sizeof(*bg_v_));                            \
                }                                                                    \
                bg_v_;                                                               \
        })

/* Append the value val (of the element type) to arr and count it in n:
 * 0, or -ENOMEM. */
#define BG_APPEND(arr, n, val)                                                       \
        __extension__({                                                              \
                __typeof__(arr) bg_s_ = BG_NEW_SLOT(arr, n);                         \
                if (bg_s_) {                                                         \
                        *bg_s_ = (val);                                              \
                        (n)++;                                                       \
                }                                                                    \
                bg_s_ ? 0 : -ENOMEM;                                                 \
        })

/* Append a copy of the string s to the string array arr: 0, or -ENOMEM. */
#define BG_APPEND_STRDUP(arr, n, s)                                                  \
        __extension__({                                                              \
                char **bg_p_ = BG_NEW_SLOT(arr, n);                                  \
                int bg_e_ = -ENOMEM;                                                 \
                if (bg_p_ && (*bg_p_ = strdup(s))) {                                 \
                        (n)++;                                                       \
                        bg_e_ = 0;                                                   \
                }                                                                    \
                bg_e_;                                                               \
        })

/* Room for at least need elements in arr, whose capacity is cap: the
 * capacity doubles (from 8), so appending n elements costs O(n) copies
 * overall. 0, or -ENOMEM. New room is not initialised. */
#define BG_RESERVE(arr, cap, need)                                                   \
        __extension__({                                                              \
                int bg_r_ = 0;                                                       \
                if ((need) > (cap)) {                                                \
                        size_t bg_c_ = (cap) ? (cap) : 8;                            \
                        while (bg_c_ < (size_t) (need) && bg_c_ <= SIZE_MAX / 2)     \
                                bg_c_ *= 2;                                          \
                        if (bg_c_ < (size_t) (need))                                 \
                                bg_c_ = (size_t) (need);                             \
                        __typeof__(arr) bg_v_ = reallocarray((arr), bg_c_, sizeof(*(arr))); \
                        if (bg_v_) {                                                 \
                                (arr) = bg_v_;                                       \
                                (cap) = bg_c_;                                       \
                        } else {                                                     \
                                bg_r_ = -ENOMEM;                                     \
                        }                                                            \
                }                                                                    \
                bg_r_;                                                               \
        })
