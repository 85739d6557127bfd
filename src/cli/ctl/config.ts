// The running config and its reload (docs/admin-api.md): config, reload.
import { stringify } from 'yaml'
import type { CtlCommand } from './command.js'
import { field } from './format.js'

export const configCommands: readonly CtlCommand[] = [
  {
    name: 'config',
    synopsis: '',
    summary: 'The running config as YAML, secrets redacted by Sluice',
    role: 'viewer',
    positionals: [],
    async run({ client, print }) {
      // Sluice writes every schema-marked secret as <redacted> before it answers; nothing to hide here.
      const body = await client.request('GET', '/v1/config')
      print(body, (b) => `# The config serving on ${client.url} (secrets shown as <redacted>)\n${stringify(b, { lineWidth: 0 })}`)
    },
  },
  {
    name: 'reload',
    synopsis: '--reason R',
    summary: 'Re-read the config file now (what SIGHUP does)',
    role: 'admin',
    positionals: [],
    mutation: true,
    async run({ client, reason, print }) {
      const body = await client.request('POST', '/v1/config/reload', { reason })
      // A refused file comes back as a 400 with its problems (AdminApiError, exit 1).
      print(body, (b) => (field(b, 'ok') === true ? `Config reloaded (reason: ${reason}): the file and its flag files checked whole and serve; an unchanged file changes nothing.\n` : `${JSON.stringify(b)}\n`))
    },
  },
]
