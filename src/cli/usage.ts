// `sluice <command> --help`: one usage text per command, printed on stdout with exit 0 before the
// command parses anything (so `--help` works next to missing or bad options). ctl has its own,
// per subcommand (ctl.ts).

export const USAGE = `Usage: sluice <command> [options]

Commands:
  serve     Run the proxy
  validate  Check a config file without starting anything
  emulate   Run the provider emulators alone
  demo      Emulators + Sluice on an embedded config, with ready-to-paste calls
  ctl       Operate a running Sluice through its admin API

Options:
  -h, --help     Show this text; \`sluice <command> --help\` shows that command's
  -V, --version  Print the version and exit

Docs: docs/cli.md (commands), docs/config.md (the config file), docs/flags.md (egress ships off).
`

const CONFIG_OPTIONS = `  -c, --config FILE    The YAML config file (env SLUICE_CONFIG); required
  -e, --env NAME       Apply the overlay environments.NAME (env SLUICE_ENV)`

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  serve: `Usage: sluice serve --config FILE [--env NAME] [--port N] [--admin-port N]

Run the proxy: the data plane (server.port) and the admin API (admin.port). Logs are JSON lines on
stdout. SIGHUP reloads the config; SIGTERM or SIGINT drains in-flight requests and exits 0.
If ai.egress.enabled is off (it ships off), a warning on stderr says so and how to turn it on.

Options:
${CONFIG_OPTIONS}
  -p, --port N         Override server.port (0 picks a free port)
      --admin-port N   Override admin.port
  -h, --help           Show this text
`,
  validate: `Usage: sluice validate --config FILE [--env NAME]

Check a config file and its flag files as a reload would, without starting anything. Prints each
problem as "path: problem (got value)" and exits 1, or prints "FILE: ok (...)" and exits 0. A file
that is valid but leaves egress off still exits 0, with a warning on stderr.

Options:
${CONFIG_OPTIONS}
  -h, --help           Show this text
`,
  emulate: `Usage: sluice emulate [--port N] [--host HOST]

Run local emulators of the Bedrock Runtime, Gemini, Llama and OpenAI APIs on four consecutive
ports, and print their URLs and the credentials they require. SIGTERM or SIGINT stops them.

Options:
  -p, --port N         The first of the four ports (default 4001; 0 picks free ports)
      --host HOST      Interface to listen on (default 127.0.0.1)
  -h, --help           Show this text
`,
  demo: `Usage: sluice demo [--port N] [--admin-port N] [--keep-state]

Start the four provider emulators and Sluice on an embedded config with egress and streaming on,
and print ready-to-paste calls. SIGTERM or SIGINT (Ctrl-C) stops everything and exits 0; a failed
start (a port in use) stops what started and exits 1.

Options:
  -p, --port N         Data plane port (default 8080; 0 picks a free port)
      --admin-port N   Admin API port (default 9901)
      --keep-state     Keep kill switches and overrides across demo runs (a sqlite store in the
                       temp directory); without it every run starts on fresh, empty state
  -h, --help           Show this text
`,
}
