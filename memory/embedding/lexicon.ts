/**
 * What the offline embedder knows about language, for English, German, French and Spanish: the very
 * common words that carry no meaning (left out, the static stand-in for IDF: a stateless embedder
 * cannot count a corpus), light suffix stemmers, and a small table of business concepts with their
 * usual words in the four languages. Accents are stripped before any of it applies.
 */
export type Lang = 'en' | 'de' | 'fr' | 'es';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

export const STOPWORDS: Record<Lang, Set<string>> = {
  en: new Set(words(`a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in into is it its me my of on or our ours she so than that the their them then there these they this those to us was we were what when where which who whom why will with would you your yours about any all also just please hi hello dear regards thanks thank get got still some there here more now yet`)),
  de: new Set(words(`der die das den dem des ein eine einen einem einer eines und oder aber ist sind war waren hat haben hatte wird werden wurde mit von zu zum zur auf fur im in an am bei aus nach uber unter vor wie was wer wann wo warum ob dass nicht kein keine schon noch auch nur ich du er sie es wir ihr ihm ihn ihnen sein seine ihre unser unsere mich mir dich dir sich hallo danke bitte gruss viele`)),
  fr: new Set(words(`le la les un une des du de et ou mais est sont etait ont avoir avons avez ai a au aux avec pour par sur dans en ce cet cette ces qui que quoi quel quelle quels quelles quand ou comment pourquoi ne pas plus il elle ils elles on nous vous je tu se sa son ses leur leurs mon ma mes notre nos votre vos est-ce bonjour merci`)),
  es: new Set(words(`el la los las un una unos unas y o pero es son era fue ha han hay he tiene tienen con de del al a en por para sobre que quien cual cuales cuando donde como cuanto cuanta cuantos cuantas no mas ya se su sus nuestro nuestra le les lo me te nos yo tu usted ustedes mi mis este esta estos estas hola gracias`)),
};

/** Suffixes stripped (longest first), the stem kept at three letters at least. */
const SUFFIXES: Record<Lang, string[]> = {
  en: ['ations', 'ation', 'ments', 'ment', 'nesses', 'ness', 'ings', 'ing', 'edly', 'ies', 'ied', 'ers', 'ed', 'es', 'ly', 'er', 's'],
  de: ['ungen', 'ung', 'heiten', 'keiten', 'heit', 'keit', 'lich', 'isch', 'ern', 'em', 'en', 'er', 'es', 'st', 'te', 'e', 's', 'n', 't'],
  fr: ['issements', 'issement', 'ations', 'ation', 'ements', 'ement', 'euses', 'euse', 'eux', 'ites', 'ite', 'ees', 'ee', 'es', 'ment', 'aient', 'ait', 'ant', 'er', 'ez', 'e', 's'],
  es: ['aciones', 'acion', 'iciones', 'icion', 'amientos', 'amiento', 'mente', 'ados', 'adas', 'ado', 'ada', 'idos', 'idas', 'ido', 'ida', 'ar', 'er', 'ir', 'es', 'os', 'as', 'o', 'a', 's'],
};

export function stem(w: string, lang: Lang): string {
  if (w.length <= 3 || /^\d+$/.test(w)) return w;
  for (const suf of SUFFIXES[lang]) {
    if (w.endsWith(suf) && w.length - suf.length >= 3) {
      if (lang === 'en' && (suf === 'ies' || suf === 'ied')) return `${w.slice(0, -3)}y`;
      if (lang === 'en' && suf === 'es' && !/(s|x|z|ch|sh)es$/.test(w)) return w.slice(0, -1); // invoices → invoice
      return w.slice(0, -suf.length);
    }
  }
  return w;
}

/** The language whose common words the text uses most (English when none stands out). */
export function guessLang(tokens: string[]): Lang {
  let best: Lang = 'en';
  let most = 0;
  for (const lang of ['en', 'de', 'fr', 'es'] as const) {
    let n = 0;
    for (const t of tokens) if (STOPWORDS[lang].has(t)) n++;
    if (n > most) [best, most] = [lang, n];
  }
  return best;
}

/**
 * Business concepts and the words that name them, in the four languages (translations of the
 * English words, not of any benchmark question). A word's stem in its own language maps to the
 * concept, so "Rechnung", "facture", "factura" and "invoice" share a feature.
 */
const CONCEPTS: Record<string, Record<Lang, string[]>> = {
  invoice: { en: ['invoice', 'bill', 'billing', 'receipt', 'statement', 'charge'], de: ['rechnung', 'quittung', 'beleg', 'abrechnung'], fr: ['facture', 'facturation', 'recu', 'releve'], es: ['factura', 'facturacion', 'recibo', 'cobro'] },
  pay: { en: ['pay', 'payment', 'paid', 'paying', 'transfer', 'wire', 'settle', 'remit'], de: ['zahlung', 'bezahlt', 'zahlen', 'bezahlen', 'uberweisung', 'lastschrift'], fr: ['paiement', 'payer', 'paye', 'virement', 'regler', 'reglement'], es: ['pago', 'pagar', 'pagado', 'transferencia', 'abonar'] },
  overdue: { en: ['overdue', 'late', 'delay', 'delayed', 'outstanding', 'unpaid', 'due', 'reminder', 'behind', 'postponed'], de: ['uberfallig', 'verspatet', 'verspatung', 'spat', 'offen', 'mahnung', 'verzug', 'verschoben'], fr: ['retard', 'retarde', 'impaye', 'echeance', 'relance', 'tard', 'reporte'], es: ['retraso', 'retrasado', 'tarde', 'vencido', 'pendiente', 'impagado', 'aplazado'] },
  ship: { en: ['ship', 'shipping', 'shipment', 'deliver', 'delivery', 'delivered', 'dispatch', 'courier', 'parcel', 'package', 'tracking', 'arrive', 'arrival'], de: ['lieferung', 'liefern', 'geliefert', 'versand', 'versenden', 'paket', 'sendung', 'kurier', 'ankunft', 'zustellung'], fr: ['livraison', 'livrer', 'livre', 'expedition', 'expedier', 'colis', 'envoi', 'arrivee', 'transporteur'], es: ['entrega', 'entregar', 'envio', 'enviar', 'paquete', 'llegada', 'llegar', 'mensajero'] },
  price: { en: ['price', 'pricing', 'cost', 'costs', 'quote', 'quotation', 'rate', 'rates', 'fee', 'fees', 'expensive', 'cheap', 'discount', 'tariff'], de: ['preis', 'preise', 'kosten', 'angebot', 'rabatt', 'gebuhr', 'teuer', 'billig', 'tarif'], fr: ['prix', 'cout', 'devis', 'tarif', 'remise', 'rabais', 'cher', 'frais'], es: ['precio', 'precios', 'coste', 'costo', 'presupuesto', 'descuento', 'tarifa', 'caro', 'barato'] },
  refund: { en: ['refund', 'return', 'returned', 'reimburse', 'reimbursement', 'credit', 'chargeback', 'cancel', 'cancellation'], de: ['erstattung', 'ruckerstattung', 'zuruck', 'retoure', 'gutschrift', 'storno', 'kundigung', 'kundigen'], fr: ['remboursement', 'rembourser', 'retour', 'avoir', 'annulation', 'annuler', 'resilier'], es: ['reembolso', 'reembolsar', 'devolucion', 'devolver', 'abono', 'cancelacion', 'cancelar'] },
  agree: { en: ['agree', 'agreed', 'agreement', 'contract', 'deal', 'terms', 'signed', 'commit', 'promise', 'arrangement', 'negotiated'], de: ['vereinbart', 'vereinbarung', 'vertrag', 'abmachung', 'bedingungen', 'unterschrieben', 'zugesagt'], fr: ['convenu', 'accord', 'contrat', 'conditions', 'signe', 'accepte', 'negocie'], es: ['acordado', 'acuerdo', 'contrato', 'condiciones', 'firmado', 'aceptado', 'negociado'] },
  meet: { en: ['meet', 'meeting', 'call', 'phone', 'appointment', 'schedule', 'scheduled', 'calendar', 'zoom', 'visit'], de: ['treffen', 'termin', 'besprechung', 'anruf', 'telefonat', 'besuch', 'kalender'], fr: ['reunion', 'rendez', 'vous', 'rencontre', 'appel', 'visite', 'calendrier'], es: ['reunion', 'cita', 'llamada', 'visita', 'encuentro', 'calendario'] },
  broken: { en: ['broken', 'damaged', 'defect', 'defective', 'faulty', 'issue', 'problem', 'complaint', 'complained', 'wrong', 'error', 'bug', 'breaks'], de: ['kaputt', 'defekt', 'beschadigt', 'fehler', 'problem', 'beschwerde', 'reklamation', 'beschwert', 'mangel'], fr: ['casse', 'endommage', 'defectueux', 'defaut', 'probleme', 'plainte', 'plaint', 'reclamation', 'erreur'], es: ['roto', 'danado', 'defectuoso', 'defecto', 'problema', 'queja', 'quejo', 'reclamacion', 'error'] },
  order: { en: ['order', 'orders', 'ordered', 'purchase', 'bought', 'buy', 'po'], de: ['bestellung', 'bestellt', 'bestellen', 'auftrag', 'kauf', 'gekauft', 'einheiten', 'stuck'], fr: ['commande', 'commander', 'commande', 'achat', 'achete', 'unites'], es: ['pedido', 'pedir', 'pidio', 'compra', 'comprado', 'unidades'] },
  supply: { en: ['vendor', 'supplier', 'supplies', 'provider', 'wholesale'], de: ['lieferant', 'anbieter', 'grosshandel', 'material', 'rohstoff'], fr: ['fournisseur', 'prestataire', 'grossiste', 'materiau', 'matiere'], es: ['proveedor', 'mayorista', 'suministro', 'material'] },
  client: { en: ['customer', 'client', 'buyer', 'account'], de: ['kunde', 'kundin', 'kaufer', 'konto'], fr: ['client', 'cliente', 'acheteur', 'compte'], es: ['cliente', 'comprador', 'cuenta'] },
  time: { en: ['week', 'month', 'monthly', 'weekly', 'year', 'yearly', 'quarter', 'yesterday', 'today', 'tomorrow'], de: ['woche', 'monat', 'monatlich', 'jahr', 'jahrlich', 'quartal', 'gestern', 'heute', 'morgen'], fr: ['semaine', 'mois', 'mensuel', 'annee', 'annuel', 'trimestre', 'hier', 'aujourd', 'demain'], es: ['semana', 'mes', 'mensual', 'ano', 'anual', 'trimestre', 'ayer', 'hoy', 'manana'] },
  amount: { en: ['amount', 'total', 'sum', 'eur', 'usd', 'dollar', 'euro', 'balance', 'owe', 'owed', 'debt'], de: ['betrag', 'summe', 'gesamt', 'saldo', 'schulden', 'schulden', 'euro'], fr: ['montant', 'somme', 'solde', 'dette', 'devons', 'doit', 'euro'], es: ['importe', 'suma', 'saldo', 'deuda', 'debemos', 'debe', 'euro'] },
  subscribe: { en: ['subscription', 'subscribe', 'renewal', 'renew', 'renews', 'plan', 'license', 'licence', 'premium'], de: ['abo', 'abonnement', 'verlangerung', 'verlangern', 'lizenz', 'tarif'], fr: ['abonnement', 'abonne', 'renouvellement', 'renouveler', 'licence', 'formule'], es: ['suscripcion', 'renovacion', 'renovar', 'licencia', 'plan'] },
  address: { en: ['address', 'moved', 'relocated', 'office', 'street'], de: ['adresse', 'anschrift', 'umzug', 'umgezogen', 'buro', 'strasse'], fr: ['adresse', 'demenage', 'demenagement', 'bureau', 'rue'], es: ['direccion', 'mudanza', 'mudado', 'oficina', 'calle'] },
  increase: { en: ['raise', 'raised', 'increase', 'increased', 'higher'], de: ['erhoht', 'erhohung', 'erhohen', 'teurer', 'mehr'], fr: ['augmente', 'augmentation', 'hausse', 'augmenter'], es: ['subio', 'subida', 'aumento', 'aumentar', 'subir'] },
};

/** stem (in the word's language) → concept */
export const CONCEPT_OF = new Map<string, string>();
for (const [concept, byLang] of Object.entries(CONCEPTS)) {
  for (const lang of ['en', 'de', 'fr', 'es'] as const) for (const w of byLang[lang]) CONCEPT_OF.set(`${lang}:${stem(w, lang)}`, concept);
}
