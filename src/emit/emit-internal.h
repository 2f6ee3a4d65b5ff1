/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared by the three emitters; not part of the public API. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "emit/emit.h"

enum bg_emit_format {
        BG_EMIT_NETWORKD,
        BG_EMIT_NETPLAN,
        BG_EMIT_KEYFILE,
};

/* Human name of a format for messages ("networkd", "netplan", ...). */
const char *bg_emit_format_name(enum bg_emit_format f);

/* The catalogue's key for option o in format f, NULL when the format
 * cannot express the option at all. */
const char *bg_emit_key(const struct bg_opt_info *o, enum bg_emit_format f);

/* NULL when format f can express value v of option o; otherwise a short
 * reason ("networkd has no such value"). Values, not keys: e.g.
 * xmit_hash_policy vlan+srcmac exists in the kernel but not in
 * systemd.netdev(5) or netplan. */
const char *bg_emit_value_gap(const struct bg_opt_info *o, const struct bg_optval *v,
                              enum bg_emit_format f);

/* Why option id of bond b is left out of format f although the model sets
 * it, NULL when it is written: the option has no effect in the bond's mode
 * (the kernel refuses some of them outright, EACCES, which makes networkd's
 * request fail, and NetworkManager's verify refuses others), needs a
 * monitor that is off, or the format's consumer refuses the combination.
 * The mode itself, per-port and run-time options are never left out here. */
const char *bg_emit_opt_inert(const struct bg_bond *b, enum bg_opt id, enum bg_emit_format f);
/* Note "BOND: OPTION=VALUE is left out of the FORMAT output: WHY". */
int bg_emit_note_inert(struct bg_diags *d, const struct bg_bond *b, enum bg_opt id,
                       enum bg_emit_format f, const char *why);

/* Warning "BOND: FORMAT cannot express OPTION=VALUE ...: WHY; it is left out",
 * located where the option came from, key "BOND.OPTION". */
int bg_emit_warn_option(struct bg_diags *d, const struct bg_bond *b, enum bg_opt id,
                        enum bg_emit_format f, const char *why);
/* A warning about the bond (not one option), key "BOND.KEY". */
int bg_emit_warn_bond(struct bg_diags *d, const struct bg_bond *b, const char *key,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A warning for each port with a prio the output format cannot hold (tool:
 * its name; where: the manual that lists its bond settings). */
void bg_emit_warn_port_prio(struct bg_diags *d, const struct bg_bond *b, const char *tool, const char *where);

/* Name used for port i in file names and netplan IDs: its interface name,
 * or "<bond>-port<i+1>" when it is matched by MAC only. */
int bg_emit_port_id(const struct bg_bond *b, size_t i, char *buf, size_t len);

/* False (with an error in d) for a bond that cannot be written safely: no
 * name, or control characters (line breaks) in a name, MAC, address or
 * option value. The emitters skip such a bond and go on with the others. */
bool bg_emit_bond_safe(struct bg_diags *d, const struct bg_bond *b, enum bg_emit_format f);

/* False (with an error in d) for a VLAN or bridge whose name (or link,
 * other, may be NULL) is empty or holds '/' or control characters. */
bool bg_emit_name_safe(struct bg_diags *d, const char *name, const char *other, const struct bg_loc *loc,
                       enum bg_emit_format f);

/* False (with a warning) for a port that has neither a name nor a MAC:
 * nothing could match it, so it is left out rather than emitted empty. */
bool bg_emit_port_usable(struct bg_diags *d, const struct bg_bond *b, size_t i,
                         enum bg_emit_format f);

/* Index of the port whose name equals the bond's option id (primary,
 * active_slave), -1 when unset or not one of the bond's ports. */
long bg_emit_port_index(const struct bg_bond *b, enum bg_opt id);

/* The value of the mode as an optval (set even when the model leaves it to
 * the default), so the emitters treat it like every other option. */
void bg_emit_mode_value(const struct bg_bond *b, struct bg_optval *out);

/* The emitters' walk over a bond's options, one step each.
 * bg_emit_opt_value(): the value of option id to consider for format f, or
 * NULL when there is none to write: unset, or inert in the bond's mode
 * (then noted in d and said in a comment line, "INDENT# OPTION=VALUE is
 * left out: WHY" END). The mode is always set (bg_emit_mode_value(), kept
 * in *scratch). bg_emit_opt_refused(): the same comment line for a value
 * the format cannot express, with a warning in d. */
const struct bg_optval *bg_emit_opt_value(const struct bg_bond *b, enum bg_opt id, enum bg_emit_format f,
                                          struct bg_optval *scratch, struct bg_diags *d, FILE *out,
                                          const char *indent, const char *end);
void bg_emit_opt_refused(const struct bg_bond *b, enum bg_opt id, const struct bg_optval *v,
                         enum bg_emit_format f, const char *why, struct bg_diags *d, FILE *out,
                         const char *indent, const char *end);

/* Memory stream helpers: open (the stream starts with the "# "
 * BG_EMIT_HEADER line every generated file has), and close-and-append as a
 * file (takes the buffer; on error frees it). */
FILE *bg_emit_open(char **buf, size_t *len);
int bg_emit_close_add(struct bg_emit_files *out, FILE *f, char **buf, unsigned mode,
                      const char *name_fmt, ...) __attribute__((format(printf, 5, 6)));


/* Deterministic name-based UUID (RFC 4122 version 5, SHA-1) in a bondgen
 * namespace, lower case with dashes. */
int bg_emit_uuid(const char *name, char out[37]);

/* Value of option o in format f's syntax: intervals with their unit for
 * networkd ("100ms"; "1s" for the second-based lp_interval), plain
 * milliseconds elsewhere, booleans as yes/no, true/false or 0/1, enums by
 * name, lists joined by ' ' (networkd), ',' (keyfile) or as a YAML flow
 * sequence (netplan). -ENOBUFS when buf is too small. */
int bg_emit_format_value(const struct bg_opt_info *o, const struct bg_optval *v,
                         enum bg_emit_format f, const char *key, char *buf, size_t len);

void bg_emit_sha1(const void *data, size_t n, uint8_t out[20]);

#define BG_EMIT_PREFIX "10-bondgen-"
#define BG_EMIT_HEADER "Generated by bondgen from its canonical model: change the model and convert again rather than editing this file."
