package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
)

func checkConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "YAML config file (default: the embedded config)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	set, err := vendors.Build(cfg, vendorkit.Deps{Directory: identity.FromConfig(cfg.Identity)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer set.Close()
	targets := set.Targets
	fmt.Fprintf(stdout, "%s: ok\nendpoint http://%s%s\n", cfg.Source, cfg.Listen, cfg.Endpoint)
	for _, op := range []string{"SaveOutOfOfficeInfoForUser", "SavePortalUser"} {
		fmt.Fprintf(stdout, "%s ->", op)
		for _, t := range targets {
			if len(t.Operations) == 0 || t.Operations[op] {
				kind := "required"
				if !t.Required {
					kind = "best-effort"
				}
				fmt.Fprintf(stdout, " %s (%s)", t.Vendor.Name(), kind)
			}
		}
		fmt.Fprintln(stdout)
	}
	return 0
}
