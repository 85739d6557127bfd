// A Vertex AI emulator with a freshly generated service account, and a stack with a `vertex`
// provider pointing at it: the key file's token_uri is the emulator's token endpoint, so Sluice's
// Google credentials are minted and checked locally.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, VertexTokens, type Emulator } from '../../src/emulators/index.js'
import { startStack, type Stack, type StackConfig } from './stack.js'

export const PROJECT = 'sluice-prod'
export const LOCATION = 'us-central1'
const CLIENT_EMAIL = 'sluice@sluice-prod.iam.gserviceaccount.com'

export interface VertexStack extends Stack {
  readonly vertex: Emulator
  readonly tokens: VertexTokens
  readonly keyFile: string
  /** The PEM of the service account's private key, to check that it never appears in a log. */
  readonly privateKey: string
}

export async function startVertexStack(configure?: (config: StackConfig) => void): Promise<VertexStack> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  const tokens = new VertexTokens([{ clientEmail: CLIENT_EMAIL, publicKey }])
  const vertex = await startEmulator('vertex', { auth: { tokens } })
  const dir = mkdtempSync(join(tmpdir(), 'sluice-vertex-'))
  const keyFile = join(dir, 'service-account.json')
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      project_id: PROJECT,
      private_key_id: 'emulator-key-1',
      private_key: privateKey,
      client_email: CLIENT_EMAIL,
      client_id: '100000000000000000001',
      token_uri: `${vertex.url}/token`,
    }),
  )
  const stack = await startStack({
    configure(config) {
      config.providers.vertex = { type: 'vertex', mount: '/vertex', endpoint: vertex.url, project: PROJECT, location: LOCATION, credentialsFile: keyFile }
      configure?.(config)
    },
  })
  return {
    ...stack,
    vertex,
    tokens,
    keyFile,
    privateKey,
    decision: (id) => stack.decision(id),
    async close() {
      await stack.close()
      await vertex.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
