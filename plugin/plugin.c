/* plugin.c — the four symbols a Wireshark 4.0 plugin exports, and registration. */
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <ws_version.h>

#include "packet-tcplife.h"
#include "tcplife-tap.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = TCPLIFE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

/* Wireshark 4.2 added plugin_describe() (wsutil/plugins.h, not installed by
 * 4.0): every API difference between versions is kept here, behind this check. */
#if defined(__has_include) && __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

static void register_tcplife_taps(void)
{
    tcplife_register_stats_tree();
    tcplife_register_stream_views();
}

void plugin_register(void)
{
    static proto_plugin plug;
    static tap_plugin taps;

    plug.register_protoinfo = proto_register_tcplife;
    plug.register_handoff = proto_reg_handoff_tcplife;
    proto_register_plugin(&plug);

    taps.register_tap_listener = register_tcplife_taps;
    tap_register_plugin(&taps);
}
