# nixosConfigurations.staging: the whole stack on one machine. `nix run .#staging` boots
# it as a VM (virtualisation.vmVariant) with the stack's ports forwarded to the host's
# loopback. On real hardware, replace the file systems / boot loader below with the
# machine's hardware-configuration.nix and point the secrets at files your secret
# manager provides (then turn `secrets.generate` off).
{ config, lib, ... }:
let
  stack = config.services.l10n-cr-einvoice-staging;
  r = stack.resolved;
  secretsDir = "/var/lib/l10n-cr-einvoice-staging/secrets";
  forwarded = [
    "nginx"
    "odoo"
    "odoo_gevent"
    "postgresql"
    "redis"
    "prometheus"
    "grafana"
    "simulator"
  ];
in
{
  imports = [ ../modules ];

  networking.hostName = "l10n-cr-staging";
  system.stateVersion = "25.11";

  services.l10n-cr-einvoice-staging = {
    enable = true;
    secrets = {
      generate = true;
      adminPasswordFile = "${secretsDir}/odoo-admin-password";
      databasePasswordFile = "${secretsDir}/db-password";
      haciendaCredentialsFile = "${secretsDir}/hacienda-credentials";
      certificateFile = "${secretsDir}/certificate.p12";
      certificatePinFile = "${secretsDir}/certificate-pin";
      grafanaAdminPasswordFile = "${secretsDir}/grafana-admin-password";
      grafanaSecretKeyFile = "${secretsDir}/grafana-secret-key";
      metricsTokenFile = "${secretsDir}/metrics-token";
      redisPasswordFile = "${secretsDir}/redis-password";
      simulatorControlTokenFile = "${secretsDir}/simulator-control-token";
    };
  };

  # Real hardware: replace with the machine's own (nixos-generate-config).
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  boot.loader.grub.device = "/dev/sda";

  virtualisation.vmVariant = {
    virtualisation = {
      memorySize = 4096;
      cores = 2;
      diskSize = 8192;
      graphics = false;
      forwardPorts = map (name: {
        from = "host";
        host.address = "127.0.0.1";
        host.port = r.ports.${name};
        guest.port = r.ports.${name};
      }) forwarded;
    };
    # forwarded connections arrive on the VM's NIC from QEMU's gateway
    services.l10n-cr-einvoice-staging = {
      listenAddress = "0.0.0.0";
      openFirewall = true;
      allowedNetworks = [
        "127.0.0.1/32"
        "::1/128"
        "10.0.2.0/24"
      ];
    };
  };
}
