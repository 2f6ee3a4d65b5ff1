/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * bondgend's run directory (RUNDIR: $BONDGEN_RUNDIR, else /run/bondgen),
 * trusted only when nobody else can write it: what bondgend finds there
 * (an earlier run's state file, its model, other instances' locks) drives
 * root-level changes to interfaces, and its socket answers `bondgen status`.
 * Everything in it is opened relative to one directory fd, without
 * following symbolic links, so a directory renamed or a link planted after
 * the check cannot redirect bondgend.
 */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Create RUNDIR if missing (0755), open it and check it: owned by root or
 * by bondgend's own user (DynamicUser= chowns RuntimeDirectory= to it),
 * writable by neither group nor others. Idempotent: returns the directory
 * fd, or -EPERM with the reason (naming the directory) in why, or -errno. */
int bg_rundir_open(char *why, size_t whylen);
/* The fd bg_rundir_open() returned, -EBADF before. */
int bg_rundir_fd(void);
/* Open RUNDIR/name for reading: not a symbolic link, a regular file,
 * owned by root or bondgend's user and writable by no one else. NULL with
 * errno: ENOENT (none), ELOOP (a symbolic link), EPERM (owner or mode; why
 * says which), other. */
FILE *bg_rundir_fopen(const char *name, char *why, size_t whylen);
/* sun_path for RUNDIR/name, through the directory fd (/proc/self/fd/N/name)
 * when /proc is there, else the plain path. */
int bg_rundir_sockaddr(const char *name, struct sockaddr_un *sa);
