// A real browser for the dashboard tests: Debian's chromium (scripts/ensure-chromium.sh installs it)
// driven by playwright-core, which downloads no browser of its own. CHROMIUM_PATH overrides the
// one on the PATH.
import { execFileSync } from 'node:child_process'
import { chromium, type Browser, type Page } from 'playwright-core'

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH !== undefined && process.env.CHROMIUM_PATH !== '') return process.env.CHROMIUM_PATH
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim()
    } catch {
      // not this name
    }
  }
  throw new Error('No chromium on the PATH: run scripts/ensure-chromium.sh (Debian: apt-get install chromium), or set CHROMIUM_PATH.')
}

export function launchBrowser(): Promise<Browser> {
  // The sandbox needs user namespaces, which root in a container does not get.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : []
  return chromium.launch({ executablePath: chromiumPath(), args: [...args, '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 })
}

export interface Watched {
  /** Content-Security-Policy violations, uncaught page errors and requests to another origin seen so far. */
  readonly problems: string[]
}

/**
 * Records CSP violations (reported in the page), page errors and any request that leaves `origin`
 * (the dashboard must need no network but the Sluice serving it), so a test can require none.
 */
export async function watch(page: Page, origin: string): Promise<Watched> {
  const problems: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) problems.push(`request to another origin: ${request.url()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`csp: ${message.text()}`)
  })
  // Runs in the page before its own scripts (as text: the tests' TypeScript has no DOM types).
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
  })
  return { problems }
}
