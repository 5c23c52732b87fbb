/* names.h — the words tcplife shows for the engine's enumerations.
 * One table each, shared by the packet tree and every -z view. */
#ifndef TCPLIFE_NAMES_H
#define TCPLIFE_NAMES_H

#include <glib.h>

const char *tcplife_role_name(guint value);
const char *tcplife_state_name(guint value);
const char *tcplife_event_name(guint value);
const char *tcplife_close_type_name(guint value);
const char *tcplife_initiator_name(guint value);
const char *tcplife_reset_kind_name(guint value);
const char *tcplife_handshake_outcome_name(guint value);
/* TIME_WAIT ends as tl_conn_time_wait_ends() gives them: 0 none, 1 client, 2 server, 3 both. */
const char *tcplife_tw_side_name(guint ends);

/* An ICMP (v6: ICMPv6) error's type and code in words, e.g. "port unreachable". */
const char *tcplife_icmp_error_name(gboolean v6, guint type, guint code);

#endif /* TCPLIFE_NAMES_H */
