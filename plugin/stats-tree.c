/* stats-tree.c — -z tcplife,tree: the netstat view of a capture.
 *
 * Counts connections, not packets. Each connection's contribution is kept and
 * moved when its summary changes, so single-pass tshark (where a connection's
 * story unfolds packet by packet) ends with the same counts as two-pass tshark
 * and the GUI (where every packet already sees the final story). Every row
 * exists from the start: a row a connection passed through cannot be dropped
 * again, so rows made on demand would differ by pass.
 */
#include <epan/stats_tree.h>

#include "tcplife-tap.h"
#include "names.h"

enum {
    CAT_HANDSHAKE,
    CAT_CLOSE,
    CAT_INITIATOR,
    CAT_TIME_WAIT,
    CAT_REUSE,
    CAT_CLIENT_STATE,
    CAT_SERVER_STATE,
    CAT_COUNT
};

static const char *const cat_titles[CAT_COUNT] = {
    "Handshake outcome",
    "Close type",
    "Closed by",
    "TIME_WAIT held by",
    "TIME_WAIT reuse of the 4-tuple",
    "Final state of the client end",
    "Final state of the server end",
};

static const char *const reuse_names[] = { "after 2MSL", "inside 2MSL, safe", "inside 2MSL, unsafe" };

static const char *const rtt_title = "Handshake RTT (ms)";
static const char *const close_wait_title = "CLOSE_WAIT time (ms)";

/* What one connection currently contributes. */
typedef struct {
    const char *name[CAT_COUNT];    /* NULL: counted nowhere in that category */
    gboolean    rtt_ticked;
    gboolean    close_wait_ticked;
} contribution;

static int cat_nodes[CAT_COUNT];
static GArray *contributions;       /* conn id -> contribution */

/* The rows of one category, in the order of its values. */
static void create_rows(stats_tree *st, int cat, const char *(*name_of)(guint), guint count)
{
    for (guint v = 0; v < count; v++)
        stats_tree_create_node(st, name_of(v), cat_nodes[cat], STAT_DT_INT, FALSE);
}

static const char *reuse_name_of(guint v)
{
    return reuse_names[v];
}

static void tree_init(stats_tree *st)
{
    for (int i = 0; i < CAT_COUNT; i++)
        cat_nodes[i] = stats_tree_create_node(st, cat_titles[i], 0, STAT_DT_INT, TRUE);
    create_rows(st, CAT_HANDSHAKE, tcplife_handshake_outcome_name, TL_HS_COUNT);
    create_rows(st, CAT_CLOSE, tcplife_close_type_name, TL_CLOSE_COUNT);
    create_rows(st, CAT_INITIATOR, tcplife_initiator_name, TL_INITIATOR_COUNT);
    create_rows(st, CAT_TIME_WAIT, tcplife_tw_side_name, 4);     /* none, client, server, both */
    create_rows(st, CAT_REUSE, reuse_name_of, G_N_ELEMENTS(reuse_names));
    create_rows(st, CAT_CLIENT_STATE, tcplife_state_name, TL_ST_COUNT);
    create_rows(st, CAT_SERVER_STATE, tcplife_state_name, TL_ST_COUNT);
    stats_tree_create_range_node(st, rtt_title, 0, "0-0", "1-9", "10-99", "100-999", "1000-", NULL);
    stats_tree_create_range_node(st, close_wait_title, 0, "0-0", "1-9", "10-99", "100-999", "1000-", NULL);
    if (contributions)
        g_array_free(contributions, TRUE);
    contributions = g_array_new(FALSE, TRUE, sizeof(contribution));
}

static void tree_cleanup(stats_tree *st _U_)
{
    if (contributions)
        g_array_free(contributions, TRUE);
    contributions = NULL;
}

static const char *reuse_name(const tl_conn *c, gboolean prev_had_time_wait)
{
    if (!c->has_prev || !prev_had_time_wait)
        return NULL;
    if (!c->reuse_in_2msl)
        return reuse_names[0];
    return reuse_names[c->reuse_safe ? 1 : 2];
}

static void current_names(const conn_rec *rec, const char *name[CAT_COUNT])
{
    const tl_conn *c = &rec->conn;
    const conn_rec *prev = c->has_prev ? conn_store_get(c->prev_id) : NULL;
    name[CAT_HANDSHAKE] = tcplife_handshake_outcome_name(tl_conn_handshake_outcome(c));
    name[CAT_CLOSE] = tcplife_close_type_name(tl_conn_close_type(c));
    name[CAT_INITIATOR] = tcplife_initiator_name(tl_conn_close_initiator(c));
    name[CAT_TIME_WAIT] = tcplife_tw_side_name(tl_conn_time_wait_ends(c));
    name[CAT_REUSE] = reuse_name(c, prev && tl_conn_time_wait_ends(&prev->conn));
    name[CAT_CLIENT_STATE] = tcplife_state_name(c->end[TL_CLIENT].state);
    name[CAT_SERVER_STATE] = tcplife_state_name(c->end[TL_SERVER].state);
}

static gint64 ms(gint64 ns)
{
    return ns / 1000000;
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    const tcplife_tap_info *info = data;
    const tl_conn *c = &info->rec->conn;
    if (c->id >= contributions->len)
        g_array_set_size(contributions, c->id + 1);
    contribution *was = &g_array_index(contributions, contribution, c->id);
    const char *now[CAT_COUNT];
    current_names(info->rec, now);

    for (int i = 0; i < CAT_COUNT; i++) {
        if (was->name[i] == now[i])
            continue;       /* the names are static strings: equal pointers, equal names */
        if (was->name[i])
            increase_stat_node(st, was->name[i], cat_nodes[i], FALSE, -1);
        else
            increase_stat_node(st, cat_titles[i], 0, TRUE, 1);
        if (now[i])
            increase_stat_node(st, now[i], cat_nodes[i], FALSE, 1);
        else
            increase_stat_node(st, cat_titles[i], 0, TRUE, -1);
        was->name[i] = now[i];
    }
    tl_handshake_times times;
    tl_conn_handshake_times(c, conn_store_find_kept, &times);
    if (!was->rtt_ticked && times.has_rtt) {
        was->rtt_ticked = TRUE;
        tick_stat_node(st, rtt_title, 0, TRUE);    /* tick_range leaves the range's own count */
        stats_tree_tick_range(st, rtt_title, 0, (int)ms(times.rtt));
    }
    tl_close_times close;
    tl_conn_close_times(c, conn_store_find_kept, &close);
    if (!was->close_wait_ticked && close.has_close_wait) {
        was->close_wait_ticked = TRUE;
        tick_stat_node(st, close_wait_title, 0, TRUE);
        stats_tree_tick_range(st, close_wait_title, 0, (int)ms(close.close_wait));
    }
    return TAP_PACKET_REDRAW;
}

void tcplife_register_stats_tree(void)
{
    stats_tree_register_plugin(TCPLIFE_TAP_NAME, "tcplife", "TCP Connection Lifecycle", 0,
                               tree_packet, tree_init, tree_cleanup);
}
