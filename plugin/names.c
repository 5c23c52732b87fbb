/* names.c — the words tcplife shows for the engine's enumerations. */
#include "names.h"

#include <epan/value_string.h>

#include "lifecycle.h"

static const value_string role_vals[] = {
    { TL_CLIENT, "client" },
    { TL_SERVER, "server" },
    { 0, NULL }
};

static const value_string state_vals[] = {
    { TL_ST_CLOSED,       "CLOSED" },
    { TL_ST_LISTEN,       "LISTEN" },
    { TL_ST_SYN_SENT,     "SYN_SENT" },
    { TL_ST_SYN_RECEIVED, "SYN_RECEIVED" },
    { TL_ST_ESTABLISHED,  "ESTABLISHED" },
    { TL_ST_FIN_WAIT_1,   "FIN_WAIT_1" },
    { TL_ST_FIN_WAIT_2,   "FIN_WAIT_2" },
    { TL_ST_CLOSE_WAIT,   "CLOSE_WAIT" },
    { TL_ST_CLOSING,      "CLOSING" },
    { TL_ST_LAST_ACK,     "LAST_ACK" },
    { TL_ST_TIME_WAIT,    "TIME_WAIT" },
    { 0, NULL }
};

static const value_string event_vals[] = {
    { TL_EV_SYN,            "SYN" },
    { TL_EV_SYN_RETRANS,    "SYN retransmission" },
    { TL_EV_SYNACK,         "SYN-ACK" },
    { TL_EV_SYNACK_RETRANS, "SYN-ACK retransmission" },
    { TL_EV_HANDSHAKE_ACK,  "handshake ACK" },
    { TL_EV_DATA,           "data" },
    { TL_EV_ACK,            "ACK" },
    { TL_EV_RST,            "RST" },
    { TL_EV_FIN,            "FIN" },
    { TL_EV_FIN_RETRANS,    "FIN retransmission" },
    { TL_EV_ACK_OF_FIN,     "ACK of FIN" },
    { TL_EV_FIN_ACK,        "FIN+ACK" },
    { TL_EV_FINAL_ACK,      "final ACK" },
    { TL_EV_DATA_AFTER_FIN, "data after FIN" },
    { 0, NULL }
};

static const value_string close_type_vals[] = {
    { TL_CLOSE_NONE,         "none" },
    { TL_CLOSE_FOUR_WAY,     "four-way" },
    { TL_CLOSE_THREE_WAY,    "three-way" },
    { TL_CLOSE_SIMULTANEOUS, "simultaneous" },
    { TL_CLOSE_RESET,        "reset" },
    { TL_CLOSE_INCOMPLETE,   "incomplete" },
    { 0, NULL }
};

static const value_string initiator_vals[] = {
    { TL_INITIATOR_CLIENT, "client" },
    { TL_INITIATOR_SERVER, "server" },
    { TL_INITIATOR_BOTH,   "both" },
    { 0, NULL }
};

static const value_string reset_kind_vals[] = {
    { TL_RESET_REFUSED,      "refused" },
    { TL_RESET_ABORT,        "abort" },
    { TL_RESET_DURING_CLOSE, "during close" },
    { TL_RESET_AFTER_CLOSE,  "after close" },
    { 0, NULL }
};

static const value_string tw_side_vals[] = {
    { 0, "none" },
    { 1, "client" },
    { 2, "server" },
    { 3, "both" },
    { 0, NULL }
};

static const value_string handshake_outcome_vals[] = {
    { TL_HS_COMPLETE,   "complete" },
    { TL_HS_REFUSED,    "refused" },
    { TL_HS_UNANSWERED, "unanswered" },
    { TL_HS_WRONG_ACK,  "wrong ACK" },
    { TL_HS_MISSING,    "missing" },
    { TL_HS_INCOMPLETE, "incomplete" },
    { TL_HS_ICMP_ERROR, "ICMP error" },
    { 0, NULL }
};

const char *tcplife_role_name(guint value)      { return val_to_str_const(value, role_vals, "?"); }
const char *tcplife_state_name(guint value)     { return val_to_str_const(value, state_vals, "?"); }
const char *tcplife_event_name(guint value)     { return val_to_str_const(value, event_vals, "?"); }
const char *tcplife_close_type_name(guint value) { return val_to_str_const(value, close_type_vals, "?"); }
const char *tcplife_initiator_name(guint value) { return val_to_str_const(value, initiator_vals, "none"); }
const char *tcplife_reset_kind_name(guint value) { return val_to_str_const(value, reset_kind_vals, "none"); }
const char *tcplife_handshake_outcome_name(guint value) { return val_to_str_const(value, handshake_outcome_vals, "?"); }
const char *tcplife_tw_side_name(guint ends)    { return val_to_str_const(ends, tw_side_vals, "?"); }

/* Type << 8 | code; a type alone (code 0xff) names the codes not listed. */
static const value_string icmp_error_vals[] = {
    { 0x0300, "network unreachable" },  { 0x0301, "host unreachable" },
    { 0x0302, "protocol unreachable" }, { 0x0303, "port unreachable" },
    { 0x0304, "fragmentation needed" }, { 0x0305, "source route failed" },
    { 0x0306, "network unknown" },      { 0x0307, "host unknown" },
    { 0x0309, "network administratively prohibited" },
    { 0x030a, "host administratively prohibited" },
    { 0x030d, "communication administratively prohibited" },
    { 0x03ff, "destination unreachable" },
    { 0x04ff, "source quench" },
    { 0x0b00, "TTL exceeded in transit" }, { 0x0b01, "fragment reassembly time exceeded" },
    { 0x0bff, "time exceeded" },
    { 0x0cff, "parameter problem" },
    { 0, NULL }
};

static const value_string icmpv6_error_vals[] = {
    { 0x0100, "no route to destination" }, { 0x0101, "administratively prohibited" },
    { 0x0102, "beyond scope of source address" }, { 0x0103, "address unreachable" },
    { 0x0104, "port unreachable" }, { 0x0105, "source address failed policy" },
    { 0x0106, "reject route to destination" },
    { 0x01ff, "destination unreachable" },
    { 0x02ff, "packet too big" },
    { 0x0300, "hop limit exceeded in transit" }, { 0x0301, "fragment reassembly time exceeded" },
    { 0x03ff, "time exceeded" },
    { 0x04ff, "parameter problem" },
    { 0, NULL }
};

const char *tcplife_icmp_error_name(gboolean v6, guint type, guint code)
{
    const value_string *vals = v6 ? icmpv6_error_vals : icmp_error_vals;
    const char *name = try_val_to_str(type << 8 | code, vals);
    return name ? name : val_to_str_const(type << 8 | 0xff, vals, "error");
}
