# Mirrors pkgs/pkgs-lib/formats.nix for the formats the mirrored modules use: the same
# option types (so wrong values fail type checking) and a `generate` that forces the
# whole value, as rendering the real file would.
{ lib, mkDrv }:
let
  inherit (lib) types;
  atom = types.nullOr (
    types.oneOf [
      types.bool
      types.int
      types.float
      types.str
      types.path
    ]
  );
  generator =
    ext: name: value:
    mkDrv {
      inherit name;
      format = ext;
      content = builtins.toJSON value;
    };
in
{
  ini =
    {
      listsAsDuplicateKeys ? false,
      listToValue ? null,
      ...
    }:
    {
      type = types.attrsOf (
        types.attrsOf (
          if listsAsDuplicateKeys || listToValue != null then
            types.coercedTo atom lib.singleton (types.listOf atom)
          else
            atom
        )
      );
      generate = generator "ini";
    };
  yaml =
    { }:
    {
      type =
        let
          valueType =
            types.nullOr (
              types.oneOf [
                types.bool
                types.int
                types.float
                types.str
                types.path
                (types.attrsOf valueType)
                (types.listOf valueType)
              ]
            )
            // {
              description = "YAML value";
            };
        in
        valueType;
      generate = generator "yaml";
    };
  json =
    { }:
    {
      type =
        let
          valueType =
            types.nullOr (
              types.oneOf [
                types.bool
                types.int
                types.float
                types.str
                types.path
                (types.attrsOf valueType)
                (types.listOf valueType)
              ]
            )
            // {
              description = "JSON value";
            };
        in
        valueType;
      generate = generator "json";
    };
}
