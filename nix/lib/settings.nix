# The staging stack's settings as the NixOS module and the packages use them. They are not
# resolved here: einvoice_stack.stackconf (Python, the one implementation of the rules,
# also used by scripts/stack) writes its resolution of stack/settings.toml to
# stack/settings.resolved.json, with a placeholder where each role's address goes. This
# file only reads that export, refuses one made from another settings file, and puts the
# machines' addresses (`hosts`, role -> address) in place of the placeholders.
{
  lib,
  # the settings file (stack/settings.toml) the export must come from
  settingsFile,
  # stack/settings.resolved.json: `python -m einvoice_stack.stackconf --nix-json`
  resolvedSettingsFile,
  # role -> address; unset roles get [stack].bind_host, as stackconf.load() does
  hosts ? { },
}:
let
  export = lib.importJSON resolvedSettingsFile;
  expected = builtins.hashFile "sha256" settingsFile;
  regenerate = "python -m einvoice_stack.stackconf --nix-json --settings ${toString settingsFile} -o ${toString resolvedSettingsFile}";
  checked =
    if (export.format or null) != 1 then
      throw "${toString resolvedSettingsFile}: not an export of einvoice_stack.stackconf (format ${builtins.toJSON (export.format or null)}); run ${regenerate}"
    else if export.settings_sha256 != expected then
      throw "${toString resolvedSettingsFile} was made from another version of ${toString settingsFile} (SHA-256 ${export.settings_sha256}, the file has ${expected}): run ${regenerate}"
    else
      export;
  roles = checked.roles;
  unknown = lib.subtractLists roles (builtins.attrNames hosts);
  filled = lib.genAttrs roles (role: hosts.${role} or checked.resolved.stack.bind_host);
  placeholder = role: builtins.replaceStrings [ "<role>" ] [ role ] checked.role_placeholder;
  # stackconf writes a host into a URL or host:port as an IPv6 literal is written; the
  # placeholder holds a ":", so it is always bracketed there
  urlHost = host: if lib.hasInfix ":" host then "[${host}]" else host;
  fill = builtins.replaceStrings (
    map (role: "[${placeholder role}]") roles ++ map placeholder roles
  ) (map (role: urlHost filled.${role}) roles ++ map (role: filled.${role}) roles);
  deepFill =
    value:
    if builtins.isString value then
      fill value
    else if builtins.isList value then
      map deepFill value
    else if builtins.isAttrs value then
      lib.mapAttrs (_: deepFill) value
    else
      value;
  resolved = deepFill checked.resolved;
in
if unknown != [ ] then
  throw "unknown stack role ${builtins.head unknown} (known: ${lib.concatStringsSep ", " roles})"
else
  resolved
  // {
    # roles on one machine make the same target twice (the node exporter runs once a
    # machine): stackconf lists every machine once, so does this
    prometheus = resolved.prometheus // {
      scrape_configs = map (
        job:
        job
        // {
          static_configs = map (sc: sc // { targets = lib.unique sc.targets; }) job.static_configs;
        }
      ) resolved.prometheus.scrape_configs;
    };
  }
