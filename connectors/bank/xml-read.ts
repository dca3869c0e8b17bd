/**
 * A small, strict XML reader for bank statements (CAMT.053): elements, attributes, text, CDATA and
 * the five predefined entities plus numeric ones. No DTDs and no external entities (refused), so a
 * statement cannot make it read files or expand entities. No XML library is installed in this
 * project; fast-xml-parser would be the one to add if more XML formats come.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    if (e in ENT) return ENT[e];
    throw new Error(`unknown entity ${m}`);
  });
}

/** Local name: "camt:Ntry" → "Ntry" (statements come with and without namespace prefixes). */
const local = (n: string) => n.slice(n.indexOf(':') + 1);

export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!([^>]*)>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(xml))) {
    if (m.index !== consumed) throw new Error(`unreadable XML near character ${consumed}`);
    consumed = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2] !== undefined) throw new Error('XML with a DOCTYPE or entity declarations is refused');
    else if (m[3] !== undefined) {
      if (stack.length < 2 || top.name !== local(m[3])) throw new Error(`</${m[3]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[4] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of m[5].matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[local(a[1])] = decode(a[2] ?? a[3] ?? '');
      const el: XmlElement = { name: local(m[4]), attrs, children: [], text: '' };
      top.children.push(el);
      if (!m[6]) stack.push(el);
    } else if (m[7] !== undefined) {
      if (stack.length < 2) {
        if (m[7].trim()) throw new Error('text outside the root element');
      } else top.text += decode(m[7]);
    }
  }
  if (consumed !== xml.length) throw new Error(`unreadable XML near character ${consumed}`);
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  return root;
}

/** The first descendant along a path of local names ("Amt", "BookgDt/Dt"). */
export function at(el: XmlElement | undefined, path: string): XmlElement | undefined {
  let cur = el;
  for (const p of path.split('/')) cur = cur?.children.find((c) => c.name === p);
  return cur;
}

export function textAt(el: XmlElement | undefined, path: string): string | null {
  const t = at(el, path)?.text.trim();
  return t ? t : null;
}

export function all(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
