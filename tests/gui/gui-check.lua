-- tests/gui/gui-check.lua: loaded into the Wireshark GUI with
--   wireshark -X lua_script:gui-check.lua -r CAPTURE -Y FILTER
-- Reports, from inside the Wireshark process, what the GUI did:
--   plugin  the tcplife plugin is registered (its fields exist)
--   gui     Lua runs in the GUI (gui_enabled())
--   filter  the display filter the main window applied (get_filter())
--   frames  the frames that pass FILTER, evaluated by Wireshark's own
--           display-filter engine on the GUI's dissection (a tap listener)
--   events  tcplife.event of every frame (a second, unfiltered listener)
-- Written to $TCPLIFE_GUI_REPORT (atomically) each time the GUI draws taps.
local report = os.getenv("TCPLIFE_GUI_REPORT")
local dfilter = os.getenv("TCPLIFE_GUI_FILTER")
if not report or not dfilter then return end

local ok_field, f_event = pcall(Field.new, "tcplife.event")
local ok_proto = pcall(Field.new, "tcplife.client_state")

local selected, events, draws = {}, {}, 0
local ok_tap, tap = pcall(Listener.new, "frame", dfilter)
local all = Listener.new("frame", nil)

if ok_tap then
    function tap.reset() selected = {} end
    function tap.packet(pinfo) selected[pinfo.number] = true end
end
function all.reset() events = {} end
function all.packet(pinfo)
    if ok_field then
        local v = f_event()
        events[pinfo.number] = v and tostring(v.value) or ""
    end
end

local function write_report()
    draws = draws + 1
    local nums = {}
    for n in pairs(selected) do nums[#nums + 1] = n end
    table.sort(nums)
    local enums = {}
    for n in pairs(events) do enums[#enums + 1] = n end
    table.sort(enums)
    local gf = ""
    if gui_enabled() then gf = get_filter() or "" end
    local tmp = report .. ".tmp"
    local fh = io.open(tmp, "w")
    if not fh then return end
    fh:write("version\t", get_version(), "\n")
    fh:write("gui\t", tostring(gui_enabled()), "\n")
    fh:write("plugin\t", tostring(ok_field and ok_proto), "\n")
    fh:write("tap\t", ok_tap and "ok" or tostring(tap), "\n")
    fh:write("filter\t", gf, "\n")
    fh:write("frames\t", table.concat(nums, ","), "\n")
    fh:write("packets\t", #enums, "\n")
    for _, n in ipairs(enums) do fh:write("event\t", n, "\t", events[n], "\n") end
    fh:write("draws\t", draws, "\n")
    fh:close()
    os.rename(tmp, report)
end
if ok_tap then tap.draw = write_report else all.draw = write_report end
if ok_tap then function all.draw() end end
