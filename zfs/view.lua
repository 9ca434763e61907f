-- kvmbackup's view of a target (zfs.Manager.ReadView as one channel program):
-- every filesystem at or below the root given as the first argument and every
-- snapshot of one, each with the properties the view reads (when the root does not
-- exist, its nearest ancestor's compression and available). With "self" as the
-- second argument, the root filesystem alone (zfs.Manager.Current's read). Run in
-- syncing context (not -n), it reads each written as of a synced transaction group.
local root = (...)["argv"][1]
local self = (...)["argv"][2] == "self"
local fsProps = {"guid", "createtxg", "creation", "used", "written", "referenced",
  "mountpoint", "compression", "available", "atime", "devices", "exec", "setuid"}
local snapProps = {"guid", "createtxg", "creation", "used", "written", "referenced", "userrefs"}
local out = {filesystems = {}, snapshots = {}}
local function read(name, props)
  local d = {}
  for _, p in ipairs(props) do
    local v = zfs.get_prop(name, p)
    d[p] = v
  end
  local local_ = {}
  for k, v, src in zfs.list.user_properties(name) do
    if src == name then
      local_[k] = v
    end
  end
  d["local"] = local_
  return d
end
local function walk(fs)
  if zfs.get_prop(fs, "type") ~= "filesystem" then
    return
  end
  out.filesystems[fs] = read(fs, fsProps)
  if self then
    return
  end
  for s in zfs.list.snapshots(fs) do
    local d = read(s, snapProps)
    if d["userrefs"] > 0 then
      local h = {}
      for tag in zfs.list.holds(s) do
        h[tag] = true
      end
      d["holds"] = h
    end
    out.snapshots[s] = d
  end
  for c in zfs.list.children(fs) do
    walk(c)
  end
end
if zfs.exists(root) then
  walk(root)
else
  -- A root not made yet (a first run): the nearest dataset it will inherit from,
  -- with the figures the target check reads of it.
  local a = root
  while not zfs.exists(a) and string.find(a, "/", 1, true) do
    a = string.match(a, "^(.*)/")
  end
  if zfs.exists(a) then
    out.ancestor = {name = a, compression = zfs.get_prop(a, "compression"), available = zfs.get_prop(a, "available")}
  end
end
return out
