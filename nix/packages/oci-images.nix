# OCI images (dockerTools.streamLayeredImage: `nix build .#oci-odoo && ./result |
# docker load`). Configuration comes at run time: the Odoo image expects its config file
# (rendered from stack/settings.toml by scripts/ or mounted) at /etc/odoo/odoo.cfg, the
# simulator image its users file at /run/secrets/hacienda-credentials.
{
  lib,
  dockerTools,
  cacert,
  bash,
  coreutils,
  resolved,
  odoo,
  addons,
  schemas,
  hacienda-cr,
  image,
}:
let
  port = p: "${toString p}/tcp";
  images = {
    odoo = {
      name = "l10n-cr-einvoice-odoo";
      contents = [
        odoo
        addons
        schemas
        cacert
        bash
        coreutils
      ];
      config = {
        Entrypoint = [ "${odoo}/bin/odoo" ];
        Cmd = [
          "--config=/etc/odoo/odoo.cfg"
          "--addons-path=${addons}"
        ];
        Env = [
          "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt"
          "HACIENDA_XSD_DIR=${schemas}"
        ];
        ExposedPorts = {
          ${port resolved.ports.odoo} = { };
          ${port resolved.ports.odoo_gevent} = { };
        };
        User = "1000:1000";
        Volumes."/var/lib/odoo" = { };
      };
    };
    simulator = {
      name = "l10n-cr-einvoice-simulator";
      contents = [
        hacienda-cr
        schemas
        cacert
      ];
      config = {
        Entrypoint = [ (lib.getExe hacienda-cr) ];
        # the plain host's simulator options (einvoice_stack.programs)
        Cmd = [
          "simulator"
          "--host"
          "0.0.0.0"
          "--port"
          (toString resolved.ports.simulator)
          "--db"
          "/data/sim.sqlite"
          "--users-file"
          "/run/secrets/hacienda-credentials"
          "--processing-delay"
          (toString resolved.simulator.processing_delay)
          "--xsd-dir"
          "${schemas}"
          "--access-log"
        ];
        Env = [ "HACIENDA_XSD_DIR=${schemas}" ];
        ExposedPorts.${port resolved.ports.simulator} = { };
        User = "1000:1000";
        Volumes."/data" = { };
      };
    };
  };
  chosen = images.${image};
in
dockerTools.streamLayeredImage {
  inherit (chosen) name contents config;
  tag = hacienda-cr.version;
}
