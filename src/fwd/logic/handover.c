/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handover answer's text (handover.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fwd/logic/handover.h"

static const char *const kinds[] = { [BG_HO_TAP] = "tap", [BG_HO_PORT] = "port", [BG_HO_VTAP] = "vtap" };

/* What the kernel takes as an interface name (dev_valid_name()): 1-15
 * bytes, not "." or "..", no '/', ':' or white space. */
static bool ifname_ok(const char *s, size_t n) {
        if (n == 0 || n >= 16 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] == 0x7f)
                        return false;
        return true;
}

int bg_handover_format(const struct bg_handover_fd *fds, size_t n, char *buf, size_t len) {
        size_t off = 0;

        if (n > BG_HANDOVER_MAX_FDS || !len)
                return -EINVAL;
        buf[0] = 0;
        for (size_t i = 0; i < n; i++) {
                int w;
                if ((unsigned) fds[i].kind > BG_HO_VTAP || !ifname_ok(fds[i].name, strnlen(fds[i].name, 16)))
                        return -EINVAL;
                w = snprintf(buf + off, len - off, "%s %s\n", kinds[fds[i].kind], fds[i].name);
                if (w < 0 || (size_t) w >= len - off)
                        return -ENOBUFS;
                off += (size_t) w;
        }
        return 0;
}

int bg_handover_parse(const char *body, size_t nfds, struct bg_handover_fd *out) {
        const char *p = body;
        size_t n = 0;
        bool tap = false;

        if (nfds > BG_HANDOVER_MAX_FDS)
                return -EBADMSG;
        while (*p) {
                const char *eol = strchr(p, '\n'), *sp;
                size_t ll = eol ? (size_t) (eol - p) : strlen(p), kl, nl;
                int k = -1;

                sp = memchr(p, ' ', ll);
                if (!sp || n >= nfds)
                        return -EBADMSG;
                kl = (size_t) (sp - p);
                for (int i = 0; i <= BG_HO_VTAP; i++)
                        if (strlen(kinds[i]) == kl && !memcmp(p, kinds[i], kl))
                                k = i;
                nl = ll - kl - 1;
                if (k < 0 || !ifname_ok(sp + 1, nl) || (k == BG_HO_TAP && tap))
                        return -EBADMSG;
                tap |= k == BG_HO_TAP;
                out[n].kind = (enum bg_handover_kind) k;
                memcpy(out[n].name, sp + 1, nl);
                out[n].name[nl] = 0;
                for (size_t i = 0; i < n; i++)
                        if (out[i].kind == out[n].kind && !strcmp(out[i].name, out[n].name))
                                return -EBADMSG;
                n++;
                p += ll + (eol ? 1 : 0);
        }
        return n == nfds ? 0 : -EBADMSG;
}
