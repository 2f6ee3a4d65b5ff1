/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shell-subset lexer for ifcfg-style files. The rules and where they come
 * from (bash as initscripts' source_config uses it; NetworkManager's
 * ifcfg-rh shvar.c svUnescape()):
 *  - "KEY=value" with KEY = [A-Za-z_][A-Za-z0-9_]*; leading blanks allowed.
 *  - Unquoted text: "\x" gives x; blanks (space, tab, CR) end the value;
 *    "#" inside a word is literal. A trailing "\" joins the next line (bash;
 *    NetworkManager reads "" instead, so we warn).
 *  - '...' literal; "..." with \ escaping only $ ` " \ and newline.
 *  - $'...' ANSI-C quoting with NetworkManager's escape set.
 *  - Adjacent pieces concatenate: x"c"'d' is xcd.
 *  - One trailing ';' may be followed only by blanks or a comment.
 *  - `export KEY=v` assigns (bash; NetworkManager ignores the line: a note).
 *  - The last assignment of a key wins (all readers agree).
 * Anything that would need a shell ($VAR, ${..}, $(..), backticks,
 * | & ( ) < >, a command after ';' or after an unquoted blank, here-docs) is
 * never executed: the key is marked unreadable and reported. Quotes must
 * close on their own line: bash would read on, NetworkManager reads "" —
 * the two disagree, so we report an error instead of guessing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ifcfg.h"
#include "legacy-int.h"
#include "util/array.h"

struct buf {
        char *s;
        size_t n, cap;
        bool oom;
};

static void buf_putc(struct buf *b, char c) {
        if (b->oom)
                return;
        if (BG_RESERVE(b->s, b->cap, b->n + 2) < 0) {
                b->oom = true;
                return;
        }
        b->s[b->n++] = c;
        b->s[b->n] = 0;
}

static void buf_put_utf8(struct buf *b, uint32_t cp) {
        if (cp < 0x80)
                buf_putc(b, (char)cp);
        else if (cp < 0x800) {
                buf_putc(b, (char)(0xc0 | (cp >> 6)));
                buf_putc(b, (char)(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                buf_putc(b, (char)(0xe0 | (cp >> 12)));
                buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
                buf_putc(b, (char)(0x80 | (cp & 0x3f)));
        } else {
                buf_putc(b, (char)(0xf0 | (cp >> 18)));
                buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
                buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
                buf_putc(b, (char)(0x80 | (cp & 0x3f)));
        }
}

static bool valid_utf8(const char *s) {
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                unsigned need;
                uint32_t cp;

                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0) {
                        need = 1;
                        cp = *p & 0x1f;
                } else if ((*p & 0xf0) == 0xe0) {
                        need = 2;
                        cp = *p & 0x0f;
                } else if ((*p & 0xf8) == 0xf0) {
                        need = 3;
                        cp = *p & 0x07;
                } else
                        return false;
                p++;
                for (unsigned i = 0; i < need; i++, p++) {
                        if ((*p & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (*p & 0x3f);
                }
                if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
                    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
        }
        return true;
}

/* Lexer state over the whole file. */
struct lex {
        struct bg_ifcfg *f;
        const char *p, *end;
        const char *line_start;
        unsigned line;
        bool warned_cr, warned_cont;
        int r;  /* first -ENOMEM */
        struct buf scratch;   /* a value as it is read, reused for every value of the file */
};

static unsigned col_of(const struct lex *lx, const char *p) {
        return (unsigned)(p - lx->line_start) + 1;
}

static void diag(struct lex *lx, enum bg_diag_level level, const char *at, const char *key,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diag(struct lex *lx, enum bg_diag_level level, const char *at, const char *key,
                 const char *fmt, ...) {
        struct bg_loc loc = { lx->f->path, lx->line, at ? col_of(lx, at) : 0 };
        va_list ap;

        va_start(ap, fmt);
        if (bg_diag_addv(&lx->f->diags, level, &loc, key, fmt, ap) < 0)
                lx->r = -ENOMEM;
        va_end(ap);
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_name_start(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c) {
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* After '$': does this start an expansion bash would perform? */
static bool starts_expansion(char c) {
        return is_name_start(c) || (c >= '0' && c <= '9') || c == '{' || c == '(' ||
               c == '@' || c == '*' || c == '#' || c == '?' || c == '!' || c == '$' || c == '-';
}

static void skip_to_eol(struct lex *lx) {
        while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
}

static void next_line(struct lex *lx) {
        skip_to_eol(lx);
        if (lx->p < lx->end)
                lx->p++;
        lx->line++;
        lx->line_start = lx->p;
}

/* "<<" seen at p (unquoted): skip the here-document body that follows the
 * current line, up to its delimiter line. Only reports; nothing is run. */
static void skip_heredoc(struct lex *lx, const char *p, const char *key) {
        const char *q = p + 2;
        bool strip_tabs = false;
        char delim[128];
        size_t n = 0;
        unsigned first = lx->line, last;

        if (q < lx->end && *q == '<') {
                /* "<<<" is a here-string: no body. */
                diag(lx, BG_DIAG_ERROR, p, key, "here-string needs a shell; not executed");
                return;
        }
        if (q < lx->end && *q == '-') {
                strip_tabs = true;
                q++;
        }
        while (q < lx->end && is_blank(*q))
                q++;
        while (q < lx->end && !is_blank(*q) && *q != '\n' && *q != ';' && *q != '&' && *q != '|' &&
               n + 1 < sizeof(delim)) {
                if (*q != '\'' && *q != '"' && *q != '\\')
                        delim[n++] = *q;
                q++;
        }
        delim[n] = 0;
        last = first;
        next_line(lx);
        while (lx->p < lx->end) {
                const char *s = lx->p, *e = s;

                while (e < lx->end && *e != '\n')
                        e++;
                if (strip_tabs)
                        while (s < e && *s == '\t')
                                s++;
                if (e > s && e[-1] == '\r')
                        e--;
                last = lx->line;
                if (n > 0 && (size_t)(e - s) == n && !memcmp(s, delim, n))
                        break;
                next_line(lx);
        }
        {
                /* Reported where the here-document starts; at EOF the
                 * current line may be one past the last one. */
                struct bg_loc loc = { lx->f->path, first, 0 };
                if (bg_diag_add(&lx->f->diags, key ? BG_DIAG_ERROR : BG_DIAG_WARNING, &loc, key,
                                "here-document (lines %u-%u) needs a shell; not executed, its lines "
                                "are skipped", first, last) < 0)
                        lx->r = -ENOMEM;
        }
        /* The caller moves past the delimiter line (or EOF). */
        lx->p = lx->line_start;
        skip_to_eol(lx);
}

/* A line that is not an assignment: bash would run it as a command. Report
 * it (commands are never executed) and skip it, including a here-doc body. */
static void skip_command(struct lex *lx, const char *start) {
        const char *p = start;
        char q = 0;
        int len;

        for (len = 0; p + len < lx->end && p[len] != '\n' && len < 60; len++)
                ;
        while (len > 0 && is_blank(p[len - 1]))
                len--;
        diag(lx, BG_DIAG_WARNING, start, NULL,
             "'%.*s' is not a KEY=value assignment; ignored (bash would run it as a command)",
             len, start);
        for (; p < lx->end && *p != '\n'; p++) {
                if (q) {
                        if (*p == q)
                                q = 0;
                        else if (*p == '\\' && q == '"' && p + 1 < lx->end && p[1] != '\n')
                                p++;
                        continue;
                }
                if (*p == '\\' && p + 1 < lx->end && p[1] == '\n') {
                        /* bash joins the next line into the command */
                        p++;
                        lx->line++;
                        lx->line_start = p + 1;
                } else if (*p == '\\' && p + 1 < lx->end)
                        p++;
                else if (*p == '\'' || *p == '"')
                        q = *p;
                else if (*p == '#' && (p == lx->line_start || is_blank(p[-1])))
                        break;
                else if (*p == '<' && p + 1 < lx->end && p[1] == '<') {
                        lx->p = p;
                        skip_heredoc(lx, p, NULL);
                        return;
                }
        }
        lx->p = p;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* $'...' body starting after the opening quote. Returns the position after
 * the closing quote, or NULL when it is not closed on this line. */
static const char *lex_ansi_c(struct lex *lx, const char *p, struct buf *b, bool *nul) {
        while (p < lx->end && *p != '\n' && *p != '\'') {
                char c = *p++;
                int d;

                if (c != '\\') {
                        buf_putc(b, c);
                        continue;
                }
                if (p >= lx->end || *p == '\n')
                        return NULL;
                c = *p++;
                switch (c) {
                case 'a': buf_putc(b, '\a'); break;
                case 'b': buf_putc(b, '\b'); break;
                case 'e': case 'E': buf_putc(b, 0x1b); break;
                case 'f': buf_putc(b, '\f'); break;
                case 'n': buf_putc(b, '\n'); break;
                case 'r': buf_putc(b, '\r'); break;
                case 't': buf_putc(b, '\t'); break;
                case 'v': buf_putc(b, '\v'); break;
                case '\\': case '\'': case '"': case '?': buf_putc(b, c); break;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                        unsigned v = (unsigned)(c - '0');
                        for (int i = 0; i < 2 && p < lx->end && *p >= '0' && *p <= '7'; i++)
                                v = v * 8 + (unsigned)(*p++ - '0');
                        v &= 0xff;  /* bash cuts octal escapes to 8 bits */
                        if (v == 0)
                                *nul = true;
                        else
                                buf_putc(b, (char)v);
                        break;
                }
                case 'x': case 'u': case 'U': {
                        int max = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                        uint32_t v = 0;
                        int i;
                        for (i = 0; i < max && p < lx->end && (d = hexval(*p)) >= 0; i++, p++)
                                v = v * 16 + (uint32_t)d;
                        if (i == 0) {
                                /* no digit: the backslash stays */
                                buf_putc(b, '\\');
                                buf_putc(b, c);
                        } else if (v == 0)
                                *nul = true;
                        else if (c == 'x')
                                buf_putc(b, (char)v);
                        else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
                                buf_putc(b, '\\');
                                buf_putc(b, c);
                        } else
                                buf_put_utf8(b, v);
                        break;
                }
                default:
                        /* \c and unknown escapes stay literal */
                        buf_putc(b, '\\');
                        buf_putc(b, c);
                        break;
                }
        }
        if (p >= lx->end || *p != '\'')
                return NULL;
        return p + 1;
}

/* The key and its value share one allocation (key, NUL, value, NUL), owned
 * by .key; value NULL: the value could not be read. */
static void add_var(struct lex *lx, const char *key, size_t keylen, unsigned kline, unsigned kcol,
                    unsigned vcol, const char *value, size_t vlen) {
        struct bg_ifcfg *f = lx->f;
        char *k = malloc(keylen + 1 + (value ? vlen + 1 : 0));

        if (!k || BG_RESERVE(f->v, f->cap, f->n + 1) < 0) {
                free(k);
                lx->r = -ENOMEM;
                return;
        }
        memcpy(k, key, keylen);
        k[keylen] = '\0';
        if (value)
                memcpy(k + keylen + 1, value, vlen + 1);
        for (size_t i = 0; i < f->n; i++)
                if (!f->v[i].overridden_by && !strcmp(f->v[i].key, k)) {
                        struct bg_loc loc = { f->path, kline, kcol };
                        f->v[i].overridden_by = kline;
                        if (bg_diag_add(&f->diags, BG_DIAG_WARNING, &loc, k,
                                        "set again; the earlier assignment on line %u is ignored",
                                        f->v[i].line) < 0)
                                lx->r = -ENOMEM;
                }
        f->v[f->n++] = (struct bg_ifcfg_var) {
                .key = k, .value = value ? k + keylen + 1 : NULL, .line = kline, .col = kcol, .vcol = vcol,
        };
}

/* Lex the value of key (p just after '='). Leaves lx->p at the end of the
 * logical line (the '\n' or EOF). */
/* One value being read: where we are, what it has become so far, and
 * whether it already failed (the first error is the one reported). */
struct val {
        struct lex *lx;
        const char *p;
        struct buf b;
        char key[128];
        bool bad, nul;
};

static void val_fail(struct val *v, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void val_fail(struct val *v, const char *at, const char *fmt, ...) {
        struct bg_loc loc = { v->lx->f->path, v->lx->line, at ? col_of(v->lx, at) : 0 };
        va_list ap;

        if (v->bad)
                return;
        v->bad = true;
        va_start(ap, fmt);
        if (bg_diag_addv(&v->lx->f->diags, BG_DIAG_ERROR, &loc, v->key, fmt, ap) < 0)
                v->lx->r = -ENOMEM;
        va_end(ap);
}

/* v->p is at a backslash-newline: bash joins the lines, so do we. */
static void join_next_line(struct val *v) {
        struct lex *lx = v->lx;

        if (!lx->warned_cont)
                diag(lx, BG_DIAG_WARNING, v->p, v->key,
                     "backslash-newline joins the next line (as bash does); NetworkManager "
                     "would read this key as empty");
        lx->warned_cont = true;
        v->p += 2;
        lx->line++;
        lx->line_start = v->p;
}

/* \x outside quotes: x itself; a backslash at the end of the file stays. */
static void lex_backslash(struct val *v) {
        if (v->p + 1 >= v->lx->end) {
                buf_putc(&v->b, '\\');
                v->p++;
        } else if (v->p[1] == '\n') {
                join_next_line(v);
        } else {
                buf_putc(&v->b, v->p[1]);
                v->p += 2;
        }
}

/* '...': everything literal up to the next quote on the same line. */
static void lex_single_quoted(struct val *v) {
        const char *p = v->p, *end = v->lx->end;
        const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
        const char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));

        if (!q || (nl && nl < q)) {
                val_fail(v, p, "unterminated single quote (bash would read on into the "
                               "next lines, NetworkManager reads the key as empty)");
                return;
        }
        for (const char *s = p + 1; s < q; s++)
                buf_putc(&v->b, *s);
        v->p = q + 1;
}

/* "..." (and $"...", bash's locale quoting, the same string here): a
 * backslash escapes only $ ` " \ and newline; expansions are refused. */
static void lex_double_quoted(struct val *v) {
        const char *open = v->p, *end = v->lx->end;

        if (*v->p == '$')
                v->p++;
        v->p++;
        while (v->p < end && *v->p != '"' && *v->p != '\n') {
                const char *p = v->p;

                if (*p == '\\' && p + 1 < end) {
                        char e = p[1];
                        if (e == '$' || e == '`' || e == '"' || e == '\\') {
                                buf_putc(&v->b, e);
                                v->p += 2;
                        } else if (e == '\n') {
                                join_next_line(v);
                        } else {
                                buf_putc(&v->b, '\\');
                                v->p++;
                        }
                        continue;
                }
                if (*p == '$' && p + 1 < end && starts_expansion(p[1]))
                        val_fail(v, p, "'$%c' inside double quotes is a shell expansion; "
                                       "bondgen never expands (quote with '...' for a literal $)", p[1]);
                else if (*p == '`')
                        val_fail(v, p, "backtick command substitution is never executed");
                buf_putc(&v->b, *v->p++);
        }
        if (v->p >= end || *v->p == '\n') {
                val_fail(v, open, "unterminated double quote (bash would read on into the "
                                  "next lines, NetworkManager reads the key as empty)");
                return;
        }
        v->p++;
}

/* One piece of the value at v->p (a quoted string, an escape, a plain
 * character) or the shell syntax that ends it. Returns false at ';', which
 * ends the value without an error. */
static bool lex_piece(struct val *v) {
        struct lex *lx = v->lx;
        const char *p = v->p, *end = lx->end;
        char c = *p;

        if (c == '\\') {
                lex_backslash(v);
        } else if (c == '\'') {
                lex_single_quoted(v);
        } else if (c == '"' || (c == '$' && p + 1 < end && p[1] == '"')) {
                lex_double_quoted(v);
        } else if (c == '$' && p + 1 < end && p[1] == '\'') {
                const char *q = lex_ansi_c(lx, p + 2, &v->b, &v->nul);
                if (q)
                        v->p = q;
                else
                        val_fail(v, p, "unterminated $'...' quote");
        } else if (c == '$' && p + 1 < end && starts_expansion(p[1])) {
                val_fail(v, p, "'$%c' is a shell expansion (bash expands it, NetworkManager takes "
                               "it literally); bondgen never expands: write the value itself", p[1]);
        } else if (c == '`') {
                val_fail(v, p, "backtick command substitution is never executed");
        } else if (c == ';') {
                return false;
        } else if (c == '<' && p + 2 < end && p[1] == '<' && p[2] == '<') {
                val_fail(v, p, "here-string needs a shell; not executed");
        } else if (c == '<' && p + 1 < end && p[1] == '<') {
                lx->p = p;
                skip_heredoc(lx, p, v->key);
                v->bad = true;
                v->p = lx->p;
        } else if (c == '|' || c == '&' || c == '(' || c == ')' || c == '<' || c == '>') {
                val_fail(v, p, "unquoted '%c' is shell syntax; quote the value", c);
        } else if ((unsigned char)c < 0x20 || c == 0x7f) {
                val_fail(v, p, "control character 0x%02x in the value (binary data?)", (unsigned char)c);
        } else {
                buf_putc(&v->b, c);
                v->p++;
        }
        return true;
}

/* What may follow the value: blanks, then end of line, a comment, or one
 * ';' followed by those (NetworkManager's rule). */
static void check_trailer(struct val *v) {
        struct lex *lx = v->lx;
        const char *p = v->p, *semi = NULL, *err_at = NULL, *e;

        while (p < lx->end && *p != '\n') {
                if (is_blank(*p)) {
                        if (*p == '\r' && !lx->warned_cr) {
                                diag(lx, BG_DIAG_WARNING, p, NULL,
                                     "DOS line ending (CR); the CR is ignored (bash would "
                                     "keep it in the value)");
                                lx->warned_cr = true;
                        }
                        p++;
                } else if (*p == ';' && !semi) {
                        semi = p++;
                } else if (*p == '#' && (is_blank(p[-1]) || p[-1] == ';')) {
                        break;
                } else {
                        err_at = p;
                        break;
                }
        }
        v->p = p;
        if (!err_at)
                return;
        e = err_at;
        while (e < lx->end && *e != '\n' && e - err_at < 40)
                e++;
        while (e > err_at && is_blank(e[-1]))
                e--;
        if (semi)
                val_fail(v, err_at, "'%.*s' after ';' is a second command; not executed",
                         (int)(e - err_at), err_at);
        else
                val_fail(v, err_at, "unquoted blank ends the value; the rest ('%.*s') would "
                                    "be run or assigned by bash, and NetworkManager reads "
                                    "the key as empty: quote the whole value",
                         (int)(e - err_at), err_at);
}

/* NUL bytes ($'\0') and invalid UTF-8 are refused, at the key's position. */
static void check_encoding(struct val *v, unsigned kline, unsigned kcol) {
        struct bg_loc loc = { v->lx->f->path, kline, kcol };

        if (!v->nul && (v->b.oom || valid_utf8(v->b.s)))
                return;
        if (bg_diag_add(&v->lx->f->diags, BG_DIAG_ERROR, &loc, v->key, "%s",
                        v->nul ? "the value contains a NUL byte" : "the value is not valid UTF-8") < 0)
                v->lx->r = -ENOMEM;
        v->bad = true;
}

/* The value of KEY= at lx->p, up to the end of its line: its pieces, what
 * follows it, its encoding; then the variable is recorded (NULL when bad,
 * so the key reads as set but invalid) and the rest of the line skipped. */
static void lex_value(struct lex *lx, const char *key, size_t keylen, unsigned kcol) {
        struct val v = { .lx = lx, .p = lx->p };
        unsigned kline = lx->line;
        unsigned vcol = col_of(lx, v.p);
        size_t kl = keylen < sizeof(v.key) ? keylen : sizeof(v.key) - 1;

        if (v.p < lx->end && (*v.p == '"' || *v.p == '\''))
                vcol++;
        else if (lx->end - v.p > 1 && *v.p == '$' && (v.p[1] == '\'' || v.p[1] == '"'))
                vcol += 2;
        memcpy(v.key, key, kl);
        v.key[kl] = '\0';
        /* The value is built in the file's scratch buffer and copied out at
         * its size, beside the key: one allocation per variable. */
        v.b = lx->scratch;
        v.b.n = 0;
        buf_putc(&v.b, 'x');
        v.b.n = 0;
        if (!v.b.oom)
                v.b.s[0] = '\0';

        while (!v.bad && v.p < lx->end && *v.p != '\n' && !is_blank(*v.p))
                if (!lex_piece(&v))
                        break;
        if (!v.bad)
                check_trailer(&v);
        if (!v.bad)
                check_encoding(&v, kline, kcol);

        lx->scratch = v.b;
        if (v.b.oom) {
                lx->r = -ENOMEM;
                return;
        }
        add_var(lx, key, keylen, kline, kcol, vcol, v.bad ? NULL : v.b.s, v.b.n);
        lx->p = v.p;
        skip_to_eol(lx);
}

int bg_ifcfg_parse(struct bg_ifcfg *f, const char *path, const char *data, size_t len) {
        struct lex lx = { .f = f, .p = data, .end = data + len, .line_start = data, .line = 1 };

        *f = (struct bg_ifcfg) {};
        f->path = strdup(path);
        if (!f->path)
                return -ENOMEM;

        if (memchr(data, 0, len)) {
                const char *z = memchr(data, 0, len);
                unsigned line = 1;
                for (const char *s = data; s < z; s++)
                        line += *s == '\n';
                lx.line = line;
                f->binary = true;
                diag(&lx, BG_DIAG_ERROR, NULL, NULL,
                     "the file contains NUL bytes (binary data?); it is not read");
                return lx.r;
        }

        while (lx.p < lx.end && !lx.r) {
                const char *p = lx.p, *key;
                size_t keylen;

                while (p < lx.end && is_blank(*p))
                        p++;
                if (p >= lx.end || *p == '\n' || *p == '#') {
                        lx.p = p;
                        next_line(&lx);
                        continue;
                }
                if (lx.end - p > 6 && !memcmp(p, "export", 6) && is_blank(p[6])) {
                        const char *q = p + 6;
                        while (q < lx.end && is_blank(*q))
                                q++;
                        if (q < lx.end && is_name_start(*q)) {
                                diag(&lx, BG_DIAG_NOTE, p, NULL,
                                     "'export' is accepted as bash does; NetworkManager ignores "
                                     "such lines");
                                p = q;
                        }
                }
                key = p;
                if (is_name_start(*p))
                        while (p < lx.end && is_name_char(*p))
                                p++;
                keylen = (size_t)(p - key);
                if (keylen == 0 || p >= lx.end || *p != '=') {
                        skip_command(&lx, key);
                        next_line(&lx);
                        continue;
                }
                lx.p = p + 1;
                lex_value(&lx, key, keylen, col_of(&lx, key));
                next_line(&lx);
        }
        free(lx.scratch.s);
        return lx.r;
}

/* The fate of a key that is handled when nobody will read why (no
 * --explain): one shared empty text, not an allocation per key. */
static char handled[1];

void bg_ifcfg_free(struct bg_ifcfg *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].key);   /* and the value, which shares its allocation */
                if (f->v[i].fate != handled)
                        free(f->v[i].fate);
        }
        free(f->v);
        free(f->path);
        bg_diags_free(&f->diags);
        *f = (struct bg_ifcfg) {};
}

struct bg_ifcfg_var *bg_ifcfg_find(const struct bg_ifcfg *f, const char *key) {
        for (size_t i = f->n; i > 0; i--)
                if (!strcmp(f->v[i - 1].key, key))
                        return &f->v[i - 1];
        return NULL;
}

const char *bg_ifcfg_get(const struct bg_ifcfg *f, const char *key) {
        const struct bg_ifcfg_var *v = bg_ifcfg_find(f, key);
        return v ? v->value : NULL;
}

/* Earlier assignments of the same key as v were overridden. */
static void mark_overridden(struct bg_ifcfg *f, const struct bg_ifcfg_var *v) {
        for (size_t i = 0; i < f->n; i++) {
                struct bg_ifcfg_var *o = &f->v[i];
                if (o != v && o->overridden_by && !o->fate && !strcmp(o->key, v->key) &&
                    asprintf(&o->fate, "ignored: set again on line %u", o->overridden_by) < 0)
                        o->fate = NULL;
        }
}

void bg_ifcfg_set_fate(struct bg_ifcfg *f, struct bg_ifcfg_var *v, const char *fmt, ...) {
        va_list ap;

        if (v->fate == handled)
                v->fate = NULL;
        va_start(ap, fmt);
        lg_fate_v(&v->fate, fmt, ap);
        va_end(ap);
        mark_overridden(f, v);
}

void bg_ifcfg_mark_fate(struct bg_ifcfg *f, struct bg_ifcfg_var *v) {
        if (!v->fate)
                v->fate = handled;
        mark_overridden(f, v);
}

int bg_ifcfg_bool(const char *v) {
        static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
        static const char *const no[] = { "n", "no", "f", "false", "off", "0" };

        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
                if (!strcasecmp(v, yes[i]))
                        return 1;
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
                if (!strcasecmp(v, no[i]))
                        return 0;
        return -EINVAL;
}
