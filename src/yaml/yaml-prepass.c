/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Position pre-pass: libcyaml reports problems through its log callback with
 * at best the position of the event it was looking at, and it stops at the
 * first one. This walks the libyaml event stream of the same buffer against
 * the same cyaml schema, so that every structural problem is reported at the
 * offending key or value, several per run, and so that the loader can look
 * up where each loaded value came from (bg_loc in the model).
 *
 * Whatever this accepts, libcyaml must accept too: it checks exactly what the
 * schema tables say (known keys, node kinds, required keys, string lengths)
 * plus what libcyaml would otherwise reject without a position (duplicate
 * keys, aliases) or silently ignore (a second document).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml-internal.h"
#include "util/array.h"

#define MAX_FRAMES 16   /* schema depth is 6; more is never pushed */

struct seen {
        unsigned line, col;     /* 0: not seen */
};

struct frame {
        const cyaml_schema_value_t *schema;
        bool is_map;
        size_t path_len;                /* path length of this node */
        unsigned line, col;
        /* mapping */
        bool have_key;
        const cyaml_schema_field_t *field;   /* NULL: skip the value */
        struct seen *seen;
        /* sequence */
        uint32_t count;
};

struct walk {
        const struct y_schema *s;
        const char *file;
        const char *data;
        size_t len;
        struct y_index *idx;
        struct bg_diags *diags;
        unsigned errors;
        bool stop;
        int oom;
        struct frame f[MAX_FRAMES];
        unsigned nf;
        unsigned skip;                  /* depth inside a skipped subtree */
        bool skip_is_key;
        unsigned docs;
        bool in_doc, root_done;
        char path[1024];
        size_t path_len;
};

static void err(struct walk *w, unsigned line, unsigned col, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void err(struct walk *w, unsigned line, unsigned col, const char *key, const char *fmt, ...) {
        struct bg_loc loc = { .file = w->file, .line = line, .col = col };
        va_list ap;

        if (w->stop)
                return;
        if (w->errors >= Y_MAX_ERRORS) {
                bg_diag_add(w->diags, BG_DIAG_ERROR, &loc, NULL, "too many errors, giving up");
                w->stop = true;
                return;
        }
        va_start(ap, fmt);
        if (bg_diag_addv(w->diags, BG_DIAG_ERROR, &loc, key && *key ? key : NULL, fmt, ap) < 0)
                w->oom = -ENOMEM;
        va_end(ap);
        w->errors++;
}

static unsigned ln(const yaml_mark_t *m) {
        return (unsigned)m->line + 1;
}

static unsigned cl(const yaml_mark_t *m) {
        return (unsigned)m->column + 1;
}

/* Append to the current path; components are cut so that a hostile key
 * cannot fill the buffer. */
static void path_push(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_push(struct walk *w, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vsnprintf(w->path + w->path_len, sizeof(w->path) - w->path_len, fmt, ap);
        va_end(ap);
        if (r > 0)
                w->path_len += (size_t)r < sizeof(w->path) - w->path_len
                                       ? (size_t)r
                                       : sizeof(w->path) - w->path_len - 1;
}

static void path_cut(struct walk *w, size_t len) {
        w->path_len = len;
        w->path[len] = 0;
}

static void record(struct walk *w, unsigned kl, unsigned kc, unsigned l, unsigned c, bool plain) {
        struct y_node *n;

        if (BG_RESERVE(w->idx->v, w->idx->cap, w->idx->n + 1) < 0) {
                w->oom = -ENOMEM;
                return;
        }
        n = &w->idx->v[w->idx->n];
        *n = (struct y_node){ .key_line = kl, .key_col = kc, .line = l, .col = c, .plain = plain };
        n->path = strdup(w->path);
        if (!n->path) {
                w->oom = -ENOMEM;
                return;
        }
        w->idx->n++;
}

static const char *kind_name(cyaml_type_e t) {
        switch (t) {
        case CYAML_MAPPING:
                return "a mapping (key: value lines)";
        case CYAML_SEQUENCE:
                return "a list";
        default:
                return "a single value";
        }
}

static size_t field_count(const cyaml_schema_value_t *v) {
        size_t n = 0;

        while (v->mapping.fields[n].key)
                n++;
        return n;
}

static bool push(struct walk *w, const cyaml_schema_value_t *schema, bool is_map,
                 const yaml_mark_t *m) {
        struct frame *f;

        if (w->nf == MAX_FRAMES) {
                /* Cannot happen with our schema; refuse rather than overflow. */
                err(w, ln(m), cl(m), w->path, "nesting too deep");
                w->stop = true;
                return false;
        }
        f = &w->f[w->nf];
        *f = (struct frame){ .schema = schema, .is_map = is_map, .path_len = w->path_len,
                             .line = ln(m), .col = cl(m) };
        if (is_map) {
                f->seen = calloc(field_count(schema) + 1, sizeof(*f->seen));
                if (!f->seen) {
                        w->oom = -ENOMEM;
                        return false;
                }
        }
        w->nf++;
        return true;
}

/* The value at the top of the stack is complete. */
static void value_done(struct walk *w) {
        struct frame *p;

        if (w->nf == 0) {
                w->root_done = true;
                return;
        }
        p = &w->f[w->nf - 1];
        path_cut(w, p->path_len);
        if (p->is_map) {
                p->have_key = false;
                p->field = NULL;
        } else {
                p->count++;
        }
}

static void start_skip(struct walk *w, bool is_key) {
        w->skip = 1;
        w->skip_is_key = is_key;
}

static void skip_done(struct walk *w) {
        if (w->skip_is_key) {
                struct frame *p = &w->f[w->nf - 1];

                p->have_key = true;
                p->field = NULL;
                return;
        }
        value_done(w);
}

static const char *scalar_text(const yaml_event_t *ev) {
        return (const char *)ev->data.scalar.value;
}

static bool has_control(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return true;
        return false;
}

static void on_value(struct walk *w, const cyaml_schema_value_t *want, const yaml_event_t *ev,
                     unsigned kl, unsigned kc) {
        const yaml_mark_t *m = &ev->start_mark;

        switch (ev->type) {
        case YAML_ALIAS_EVENT:
                if (want)
                        err(w, ln(m), cl(m), w->path, "YAML aliases (*%s) are not supported",
                            (const char *)ev->data.alias.anchor);
                value_done(w);
                return;
        case YAML_SCALAR_EVENT: {
                size_t len = ev->data.scalar.length;
                bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

                if (!want) {
                        value_done(w);
                        return;
                }
                if (want->type != CYAML_STRING) {
                        if (len == 0 && plain)
                                err(w, ln(m), cl(m), w->path, "expected %s, got no value",
                                    kind_name(want->type));
                        else
                                err(w, ln(m), cl(m), w->path, "expected %s, got a single value",
                                    kind_name(want->type));
                } else if (has_control(scalar_text(ev), len)) {
                        /* "\e" and friends in quoted scalars: never part of
                         * a real value, and not echoed to a terminal. */
                        err(w, ln(m), cl(m), w->path, "value contains control characters");
                } else if (len < want->string.min) {
                        err(w, ln(m), cl(m), w->path, "missing value");
                } else if (len > want->string.max) {
                        err(w, ln(m), cl(m), w->path, "value too long (%zu bytes, at most %u)",
                            len, want->string.max);
                } else {
                        record(w, kl, kc, ln(m), cl(m), plain);
                }
                value_done(w);
                return;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
                bool is_map = ev->type == YAML_MAPPING_START_EVENT;
                cyaml_type_e got = is_map ? CYAML_MAPPING : CYAML_SEQUENCE;

                if (!want) {
                        start_skip(w, false);
                        return;
                }
                if (want->type != got) {
                        err(w, ln(m), cl(m), w->path, "expected %s, got %s",
                            kind_name(want->type), kind_name(got));
                        start_skip(w, false);
                        return;
                }
                record(w, kl, kc, ln(m), cl(m), false);
                push(w, want, is_map, m);
                return;
        }
        default:
                return;
        }
}

static const cyaml_schema_field_t *find_field(const cyaml_schema_value_t *v, const char *key,
                                              size_t *idx) {
        for (size_t i = 0; v->mapping.fields[i].key; i++)
                if (!strcmp(v->mapping.fields[i].key, key)) {
                        *idx = i;
                        return &v->mapping.fields[i];
                }
        return NULL;
}

static void unknown_key(struct walk *w, const struct frame *f, const char *key,
                        const yaml_mark_t *m) {
        const char *best = NULL;
        unsigned best_d = 3;

        if (f->schema->mapping.fields == w->s->opt_fields) {
                const struct bg_opt_info *o = bg_opt_lookup(key);
                char alt[64];

                if (o && o->id == BG_OPT_MODE) {
                        err(w, ln(m), cl(m), w->path,
                            "mode is a key of the bond itself (next to options:), not an option");
                        return;
                }
                /* netplan and NetworkManager spell options with dashes. */
                snprintf(alt, sizeof(alt), "%s", key);
                for (char *p = alt; *p; p++)
                        if (*p == '-')
                                *p = '_';
                o = bg_opt_lookup(alt);
                /* The names other formats use for the same option. */
                for (int id = 0; !o && id < BG_OPT__MAX; id++) {
                        const struct bg_opt_info *x = bg_opt_get(id);

                        if ((x->netplan && !strcmp(x->netplan, key)) ||
                            (x->networkd && !strcmp(x->networkd, key)) ||
                            (x->keyfile && !strcmp(x->keyfile, key)))
                                o = x;
                }
                if (o && o->id == BG_OPT_MODE) {
                        err(w, ln(m), cl(m), w->path,
                            "unknown bonding option; mode is a key of the bond itself");
                        return;
                }
                best = o ? o->name : bg_opt_suggest(key);
                if (best)
                        err(w, ln(m), cl(m), w->path,
                            "unknown bonding option (did you mean '%s'?)", best);
                else
                        err(w, ln(m), cl(m), w->path,
                            "unknown bonding option (see bondgen.yaml(5) for the list)");
                return;
        }
        if (f->schema == &w->s->bond_value) {
                const struct bg_opt_info *o = bg_opt_lookup(key);

                if (o && o->id != BG_OPT_MODE) {
                        err(w, ln(m), cl(m), w->path,
                            "unknown key; bonding options such as %s go under options:", o->name);
                        return;
                }
        }
        for (size_t i = 0; f->schema->mapping.fields[i].key; i++) {
                unsigned d = y_edit_distance(key, f->schema->mapping.fields[i].key, 2);

                if (d < best_d) {
                        best_d = d;
                        best = f->schema->mapping.fields[i].key;
                }
        }
        if (best)
                err(w, ln(m), cl(m), w->path, "unknown key (did you mean '%s'?)", best);
        else
                err(w, ln(m), cl(m), w->path, "unknown key");
}

static void on_key(struct walk *w, struct frame *f, const yaml_event_t *ev) {
        const yaml_mark_t *m = &ev->start_mark;
        const char *key;
        size_t i;

        if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
                err(w, ln(m), cl(m), w->path, "keys must be plain words, not %s",
                    ev->type == YAML_MAPPING_START_EVENT ? "mappings" : "lists");
                start_skip(w, true);
                return;
        }
        if (ev->type == YAML_ALIAS_EVENT) {
                err(w, ln(m), cl(m), w->path, "YAML aliases are not supported");
                f->have_key = true;
                f->field = NULL;
                return;
        }
        key = scalar_text(ev);
        if (has_control(key, ev->data.scalar.length)) {
                err(w, ln(m), cl(m), w->path, "key contains control characters");
                f->have_key = true;
                f->field = NULL;
                return;
        }
        path_push(w, "%s%.64s", w->nf > 1 ? "." : "", key);
        f->have_key = true;
        f->field = find_field(f->schema, key, &i);
        if (!f->field) {
                unknown_key(w, f, key, m);
                return;
        }
        if (f->seen[i].line) {
                err(w, ln(m), cl(m), w->path, "duplicate key (first given at line %u)",
                    f->seen[i].line);
                f->field = NULL;
                return;
        }
        f->seen[i] = (struct seen){ ln(m), cl(m) };
}

static void pop(struct walk *w) {
        struct frame *f = &w->f[w->nf - 1];

        if (f->is_map) {
                for (size_t i = 0; f->schema->mapping.fields[i].key; i++) {
                        const cyaml_schema_field_t *fl = &f->schema->mapping.fields[i];

                        if (fl->value.flags & CYAML_FLAG_OPTIONAL || f->seen[i].line)
                                continue;
                        err(w, f->line, f->col, w->path, "missing required key '%s'", fl->key);
                }
                free(f->seen);
                f->seen = NULL;
        }
        w->nf--;
        value_done(w);
}

/* The explicit tag of a node event, or NULL. */
static const char *event_tag(const yaml_event_t *ev) {
        switch (ev->type) {
        case YAML_SCALAR_EVENT: return (const char *) ev->data.scalar.tag;
        case YAML_SEQUENCE_START_EVENT: return (const char *) ev->data.sequence_start.tag;
        case YAML_MAPPING_START_EVENT: return (const char *) ev->data.mapping_start.tag;
        default: return NULL;
        }
}

/* Handle one event in a document. */
static void on_event(struct walk *w, const yaml_event_t *ev, unsigned kl, unsigned kc) {
        const yaml_mark_t *m = &ev->start_mark;
        struct frame *f;
        const char *tag = event_tag(ev);

        /* The format has no tags; one such as !!python/object asks another
         * loader to build objects, so it is an error, not silently a string. */
        if (tag)
                err(w, ln(m), cl(m), w->path, "YAML tag '%.64s' is not allowed (this format uses no tags)",
                    tag);

        if (w->skip) {
                if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
                        if (++w->skip > Y_MAX_DEPTH) {
                                err(w, ln(m), cl(m), NULL, "nesting too deep (more than %u levels)",
                                    Y_MAX_DEPTH);
                                w->stop = true;
                        }
                } else if (ev->type == YAML_MAPPING_END_EVENT ||
                           ev->type == YAML_SEQUENCE_END_EVENT) {
                        if (--w->skip == 0)
                                skip_done(w);
                }
                return;
        }
        if (w->nf == 0) {
                if (w->root_done)
                        return;
                if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
                    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                        err(w, ln(m), cl(m), NULL,
                            "empty document: expected a mapping starting with 'version: 1'");
                        w->root_done = true;
                        return;
                }
                if (ev->type != YAML_MAPPING_START_EVENT) {
                        err(w, ln(m), cl(m), NULL,
                            "the document must be a mapping (version: 1, bonds: ...), not %s",
                            ev->type == YAML_SEQUENCE_START_EVENT ? "a list" : "a single value");
                        if (ev->type == YAML_SEQUENCE_START_EVENT)
                                start_skip(w, false);
                        else
                                w->root_done = true;
                        return;
                }
                on_value(w, &w->s->top, ev, 0, 0);
                return;
        }
        f = &w->f[w->nf - 1];
        if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) {
                pop(w);
                return;
        }
        if (f->is_map) {
                if (!f->have_key) {
                        on_key(w, f, ev);
                        return;
                }
                on_value(w, f->field ? &f->field->value : NULL, ev, kl, kc);
                return;
        }
        path_push(w, "[%u]", f->count);
        on_value(w, f->schema->sequence.entry, ev, 0, 0);
}

static void pos_of_offset(const char *data, size_t len, size_t off, unsigned *line, unsigned *col) {
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
                if (data[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

static void syntax_error(struct walk *w, const yaml_parser_t *p) {
        unsigned line, col;
        const char *problem = p->problem ? p->problem : "cannot parse";

        if (p->error == YAML_READER_ERROR) {
                pos_of_offset(w->data, w->len, p->problem_offset, &line, &col);
                if (p->problem_value >= 0)
                        err(w, line, col, NULL, "not a YAML text file: %s (byte 0x%02x)",
                            problem, (unsigned)p->problem_value & 0xff);
                else
                        err(w, line, col, NULL, "not a YAML text file: %s", problem);
                return;
        }
        line = ln(&p->problem_mark);
        col = cl(&p->problem_mark);
        if (p->context)
                err(w, line, col, NULL, "invalid YAML: %s (%s at line %u)", problem, p->context,
                    ln(&p->context_mark));
        else
                err(w, line, col, NULL, "invalid YAML: %s", problem);
}

int y_prepass(const char *data, size_t len, const struct y_schema *s, const char *file,
              struct y_index *idx, struct bg_diags *diags) {
        struct walk w = { .s = s, .file = file, .data = data, .len = len, .idx = idx,
                          .diags = diags };
        yaml_parser_t parser;
        bool done = false;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
        while (!done && !w.stop && !w.oom) {
                yaml_event_t ev;
                /* Key position of the pending value: the last recorded key. */
                unsigned kl = 0, kc = 0;

                if (!yaml_parser_parse(&parser, &ev)) {
                        syntax_error(&w, &parser);
                        break;
                }
                if (w.nf > 0 && w.f[w.nf - 1].is_map && w.f[w.nf - 1].have_key && w.f[w.nf - 1].field) {
                        struct frame *f = &w.f[w.nf - 1];
                        size_t i = (size_t)(f->field - f->schema->mapping.fields);

                        kl = f->seen[i].line;
                        kc = f->seen[i].col;
                }
                switch (ev.type) {
                case YAML_STREAM_END_EVENT:
                        if (w.docs == 0)
                                err(&w, 1, 1, NULL,
                                    "empty file: expected a mapping starting with 'version: 1'");
                        done = true;
                        break;
                case YAML_DOCUMENT_START_EVENT:
                        if (w.docs++ > 0) {
                                err(&w, ln(&ev.start_mark), cl(&ev.start_mark), NULL,
                                    "only one YAML document per file is allowed");
                                done = true;
                        }
                        w.in_doc = true;
                        break;
                case YAML_DOCUMENT_END_EVENT:
                        w.in_doc = false;
                        break;
                case YAML_STREAM_START_EVENT:
                case YAML_NO_EVENT:
                        break;
                default:
                        if (w.in_doc)
                                on_event(&w, &ev, kl, kc);
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        for (unsigned i = 0; i < w.nf; i++)
                free(w.f[i].seen);
        if (w.oom)
                return w.oom;
        return w.errors > 0 ? -EINVAL : 0;
}

static int node_cmp(const void *a, const void *b) {
        return strcmp(((const struct y_node *)a)->path, ((const struct y_node *)b)->path);
}

void y_index_sort(struct y_index *idx) {
        if (idx->n > 1)
                qsort(idx->v, idx->n, sizeof(*idx->v), node_cmp);
}

const struct y_node *y_index_find(const struct y_index *idx, const char *path) {
        struct y_node key = { .path = (char *)path };

        if (!idx->n)
                return NULL;
        return bsearch(&key, idx->v, idx->n, sizeof(*idx->v), node_cmp);
}

void y_index_free(struct y_index *idx) {
        for (size_t i = 0; i < idx->n; i++)
                free(idx->v[i].path);
        free(idx->v);
        *idx = (struct y_index){ 0 };
}
