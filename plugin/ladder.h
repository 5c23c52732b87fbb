/* ladder.h — a connection's ladder diagram: client on the left, server on the
 * right, one arrow per lifecycle packet with each end's state beside it, the
 * data in between collapsed to one line. Text for terminals and the GUI, SVG
 * for documents. */
#ifndef TCPLIFE_LADDER_H
#define TCPLIFE_LADDER_H

#include <glib.h>

#include "conn-store.h"

typedef enum {
    LADDER_ASCII,
    LADDER_UTF8
} ladder_charset;

/* The charset the current locale can show. */
ladder_charset ladder_default_charset(void);

/* Append the ladder of one connection (at most 100 columns wide). */
void ladder_text(GString *out, const conn_rec *rec, ladder_charset charset);

/* Write the ladder of one connection as an SVG file into dir; returns the
 * file's path (g_free it) or NULL with *err set. */
char *ladder_svg(const conn_rec *rec, const char *dir, GError **err);

#endif /* TCPLIFE_LADDER_H */
