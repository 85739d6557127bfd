// Writes redacted text back: a copy of the body with the string at each path replaced, copying
// only the objects and arrays along those paths (the rest is shared with the input, which is
// never mutated). A path that does not lead to a string in the body is skipped. Keys are written
// as own data properties, so a `__proto__` key from JSON stays a key and reaches no prototype.
import { isObject } from './collect.js'
import type { TextPath, TextReplacement } from './types.js'

type Container = Record<string, unknown> | unknown[]

function childOf(node: unknown, key: string | number): unknown {
  if (Array.isArray(node)) return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < node.length ? node[key] : undefined
  return isObject(node) && typeof key === 'string' && Object.hasOwn(node, key) ? node[key] : undefined
}

function leadsToString(body: unknown, path: TextPath): boolean {
  let node = body
  for (const key of path) node = childOf(node, key)
  return typeof node === 'string'
}

function put(node: Container, key: string | number, value: unknown): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true })
}

export function withText(body: unknown, replacements: readonly TextReplacement[]): unknown {
  const copies = new WeakSet<object>()
  const writable = (node: Container): Container => {
    if (copies.has(node)) return node
    const copy: Container = Array.isArray(node) ? node.slice() : { ...node }
    copies.add(copy)
    return copy
  }
  let root = body
  for (const { path, text } of replacements) {
    if (!leadsToString(root, path)) continue
    if (path.length === 0) {
      root = text
      continue
    }
    // Every node on a path that leads to a string is a container; copy each one not yet copied.
    root = writable(root as Container)
    let node = root as Container
    for (const key of path.slice(0, -1)) {
      const child = writable(childOf(node, key) as Container)
      put(node, key, child)
      node = child
    }
    put(node, path[path.length - 1]!, text)
  }
  return root
}
