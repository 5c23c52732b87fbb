/* tcplife-tap.h — what the "tcplife" tap hands its listeners, once per
 * analysed TCP layer of a packet (and once for an ICMP error quoting a
 * connection), on every pass that taps. */
#ifndef TCPLIFE_TAP_H
#define TCPLIFE_TAP_H

#include "conn-store.h"

#define TCPLIFE_TAP_NAME "tcplife"

typedef struct {
    const conn_rec   *rec;
} tcplife_tap_info;

/* The names (tcplife.analysis.NAME) of the findings in a verdict's findings
 * word, in the packet tree's order, each appended to out after a space but the first. */
void tcplife_append_finding_names(GString *out, guint32 findings);

/* Registers -z tcplife,tree, -z tcplife,streams and -z tcplife,ladder. */
void tcplife_register_stats_tree(void);
void tcplife_register_stream_views(void);

/* Adds the GUI's Tools menu entry that shows the selected packet's ladder. */
void tcplife_register_ladder_menu(int proto);

#endif /* TCPLIFE_TAP_H */
