# systemd sandboxing shared by the units this project defines (the upstream modules
# harden their own). Not a module: `import ./hardening.nix` gives serviceConfig values.
{
  NoNewPrivileges = true;
  PrivateTmp = true;
  PrivateDevices = true;
  ProtectSystem = "strict";
  ProtectHome = true;
  ProtectKernelTunables = true;
  ProtectKernelModules = true;
  ProtectKernelLogs = true;
  ProtectControlGroups = true;
  ProtectClock = true;
  ProtectHostname = true;
  ProtectProc = "invisible";
  RestrictAddressFamilies = [
    "AF_UNIX"
    "AF_INET"
    "AF_INET6"
  ];
  RestrictNamespaces = true;
  RestrictRealtime = true;
  RestrictSUIDSGID = true;
  LockPersonality = true;
  SystemCallArchitectures = "native";
  SystemCallFilter = [
    "@system-service"
    "~@privileged"
  ];
  # a filtered call fails with EPERM (an error the program reports) instead of the
  # process being killed with SIGSYS (a bare "core dumped" in the journal)
  SystemCallErrorNumber = "EPERM";
  CapabilityBoundingSet = "";
  UMask = "0077";
}
