-- Batch evaluator for test_facts.py: one tshark run checks many display
-- filters. Argument: a file with one display filter per line. For each
-- filter N (1-based line), a frame tap listener with that filter records the
-- frames it sees; at the end each filter prints one line on stdout:
--   FACT <N> OK <frame> <frame> ...
--   FACT <N> ERROR <message>          (the filter did not compile)
-- Taps run on the second pass under tshark -2, on the full tree, as -Y does.
-- test_facts.py confirms every mismatch with a plain `tshark -2 -Y` run.
local args = { ... }
local path = args[1]
if not path then error("facts.lua: no filter file given (-X lua_script1:FILE)") end

local results = {}
local errors = {}
local count = 0

for line in io.lines(path) do
    count = count + 1
    local n = count
    results[n] = {}
    local ok, err = pcall(function()
        local tap = Listener.new("frame", line)
        function tap.packet(pinfo)
            local r = results[n]
            r[#r + 1] = pinfo.number
        end
    end)
    if not ok then errors[n] = tostring(err):gsub("[\r\n]+", " ") end
end

local printed = false
local function report()
    if printed then return end
    printed = true
    for n = 1, count do
        if errors[n] then
            io.stdout:write("FACT ", n, " ERROR ", errors[n], "\n")
        else
            local r = results[n]
            local parts = {}
            for i = 1, #r do parts[i] = tostring(r[i]) end
            io.stdout:write("FACT ", n, " OK ", table.concat(parts, " "), "\n")
        end
    end
    io.stdout:flush()
end

-- draw runs once at the end of the run for every listener; a separate
-- filterless listener reports everything once.
local reporter = Listener.new("frame")
function reporter.draw() report() end
