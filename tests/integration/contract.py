"""The registered contract of tcplife, in one place.

docs/semantics.md is the reference for what each name means. Every issue
that adds a field or an expert info appends it here; test_load.py checks that
all of them are registered (`tshark -G fields`, which in 4.0 lists expert
infos as FT_NONE fields too) and test_passes.py uses FIRST_PASS_FIELDS.
"""

PROTOCOL = "tcplife"
PLUGIN_FILE = "tcplife.so"

# Header fields, grouped by topic.
FIELDS = [
    # per packet
    "tcplife.stream",
    "tcplife.sender",
    "tcplife.event",
    "tcplife.client_state",
    "tcplife.server_state",
    "tcplife.role_guessed",
    "tcplife.duration",
    # handshake
    "tcplife.handshake",
    "tcplife.handshake.syn_frame",
    "tcplife.handshake.synack_frame",
    "tcplife.handshake.ack_frame",
    "tcplife.handshake.complete",
    "tcplife.handshake.rtt",
    "tcplife.handshake.syn_to_synack",
    "tcplife.handshake.synack_to_ack",
    "tcplife.handshake.connect_time",
    "tcplife.handshake.client_isn",
    "tcplife.handshake.server_isn",
    "tcplife.handshake.client_mss",
    "tcplife.handshake.server_mss",
    "tcplife.handshake.client_wscale",
    "tcplife.handshake.server_wscale",
    "tcplife.handshake.sack_permitted",
    "tcplife.handshake.timestamps",
    "tcplife.handshake.syn_data",
    "tcplife.handshake.syn_retransmissions",
    "tcplife.handshake.attempt",
    "tcplife.handshake.backoff",
    "tcplife.handshake.simultaneous_open",
    "tcplife.handshake.refused",
    "tcplife.handshake.missing",
    # ACK checks
    "tcplife.ack",
    "tcplife.ack.expected",
    "tcplife.ack.wrong",
    "tcplife.ack.corrected_by",
    "tcplife.ack.corrects",
    # close
    "tcplife.close",
    "tcplife.close.initiator",
    "tcplife.close.type",
    "tcplife.close.fin_frame",
    "tcplife.close.fin_ack_frame",
    "tcplife.close.second_fin_frame",
    "tcplife.close.last_ack_frame",
    "tcplife.close.reset_frame",
    "tcplife.close.merged_fin_ack",
    "tcplife.close.duration",
    "tcplife.close.close_wait",
    "tcplife.close.fin_wait_2",
    "tcplife.close.half_close",
    "tcplife.close.half_close_bytes",
    "tcplife.close.reset_kind",
    "tcplife.close.keepalive_probes",
    "tcplife.close.stale",
    "tcplife.close.attempt",
    "tcplife.close.backoff",
    # TIME_WAIT and 4-tuple reuse
    "tcplife.timewait",
    "tcplife.timewait.side",
    "tcplife.timewait.start_frame",
    "tcplife.timewait.expires",
    "tcplife.timewait.remaining",
    "tcplife.timewait.reuse",
    "tcplife.timewait.reuse_after",
    "tcplife.timewait.previous_stream",
    "tcplife.timewait.reuse_safe",
    "tcplife.timewait.fin_retransmission",
    "tcplife.timewait.reacked",
    "tcplife.timewait.late_segment",
    "tcplife.timewait.assassination",
    # data
    "tcplife.data",
    "tcplife.data.first_frame",
    "tcplife.data.last_frame",
    "tcplife.data.client_bytes",
    "tcplife.data.server_bytes",
    "tcplife.icmp_error",
    "tcplife.icmp_error.stream",
    "tcplife.icmp_error.sender",
    "tcplife.icmp_error.in_window",
    "tcplife.icmp_error.frame",
    "tcplife.icmp_error.type",
    "tcplife.icmp_error.code",
    "tcplife.icmp_error.text",
]

# Expert infos (names; several expert infos may share one name, e.g. the
# safe and unsafe TIME_WAIT reuse, which differ only in severity).
EXPERTS = [
    "tcplife.analysis.syn_retransmission",
    "tcplife.analysis.refused",
    "tcplife.analysis.synack_after_handshake",
    "tcplife.analysis.simultaneous_open",
    "tcplife.analysis.no_handshake",
    "tcplife.analysis.wrong_ack",
    "tcplife.analysis.bad_flags",
    "tcplife.analysis.merged_fin_ack",
    "tcplife.analysis.simultaneous_close",
    "tcplife.analysis.half_close",
    "tcplife.analysis.abort",
    "tcplife.analysis.keepalive_timeout",
    "tcplife.analysis.stale_connection",
    "tcplife.analysis.rst_ignored",
    "tcplife.analysis.rst_injected",
    "tcplife.analysis.fin_retransmission",
    "tcplife.analysis.timewait_reuse",
    "tcplife.analysis.timewait_fin_retransmission",
    "tcplife.analysis.late_segment",
    "tcplife.analysis.timewait_assassination",
    "tcplife.analysis.icmp_error",
    "tcplife.analysis.icmp_error_unsent",
]

# Per-packet fields that are decided on the first pass and so must read the
# same in plain `tshark -r` and in `tshark -2` (test_passes.py).
FIRST_PASS_FIELDS = [
    "frame.number",
    "tcplife.stream",
    "tcplife.sender",
    "tcplife.event",
    "tcplife.handshake.attempt",
    "tcplife.handshake.backoff",
    "tcplife.ack.expected",
    "tcplife.ack.wrong",
    "tcplife.close.attempt",
    "tcplife.close.backoff",
    "tcplife.client_state",
    "tcplife.server_state",
    "tcplife.icmp_error.stream",
    "tcplife.icmp_error.sender",
    "tcplife.icmp_error.in_window",
]

# Documented amendments to the 1-pass = 2-pass rule (docs/semantics.md): on a
# stream where the two-pass output shows the key (field, value) on some frame --
# value None means "the field is present" -- the listed fields may differ
# between passes. Crossing FINs: between them the second closer reads
# CLOSE_WAIT in one pass and ESTABLISHED in two (the simultaneous_close expert
# marks every such stream, also those a RST ends later). A FIN re-sent into
# TIME_WAIT: the passive closer reads CLOSED in one pass and LAST_ACK in two
# from its lost final ACK on. A RST its receiver, or its named sender, went
# on after: from the RST to that proof the end reads CLOSED in one pass and
# its state before the RST in two. A simultaneous open: before the second SYN
# its sender reads LISTEN in one pass and SYN_SENT in two.
PASS_EXEMPTIONS = {
    ("tcplife.analysis.simultaneous_close", None): ["tcplife.client_state", "tcplife.server_state"],
    ("tcplife.analysis.timewait_fin_retransmission", None): ["tcplife.client_state", "tcplife.server_state"],
    ("tcplife.analysis.synack_after_handshake", None): ["tcplife.server_state"],
    ("tcplife.analysis.rst_ignored", None): ["tcplife.client_state", "tcplife.server_state"],
    ("tcplife.analysis.rst_injected", None): ["tcplife.client_state", "tcplife.server_state"],
    ("tcplife.analysis.simultaneous_open", None): ["tcplife.server_state"],
}

# Capture file name endings the harness looks for under captures/.
CAPTURE_EXTENSIONS = (".pcapng", ".pcap", ".cap")
