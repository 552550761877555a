//! Deterministic generator of large, realistic `customizations.xml` documents, and of old/new and
//! base/ours/theirs variants of one document, for benchmarks and tests of normalize/diff/merge.
//!
//! Boundary: a [`SynthConfig`] (target size + seed) goes in, `String`s come out; nothing here reads
//! files or parses XML. The output imitates a real unmanaged 9.2 export (docs/solution-format.md
//! §1.2, §3): no BOM, no XML declaration, CRLF line endings, two-space indentation, `<x a="1" />`
//! empty elements, no trailing newline, the §3.1 section order, sorted entities / attributes /
//! relationships / option sets / role privileges, labels in 2–4 languages whose order inside a
//! collection is not always the same, escaped-XML text and attribute payloads. Internally a
//! deterministic model (entities with attributes, forms and views; option sets; roles; workflows;
//! web resources; relationships; app modules with site maps; plug-in steps …) is drawn from a
//! splitmix64 stream and then rendered; the variants apply edits to that model, so everything an
//! edit does not touch is byte-identical between them.

use std::collections::HashSet;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthConfig {
    /// Wanted size of the output in bytes (the result is within a few percent, except for tiny
    /// targets: the smallest document is a few hundred KB).
    pub target_bytes: usize,
    /// Seed; the same `(target_bytes, seed)` always gives the same bytes.
    pub seed: u64,
}

/// A customizations.xml of about `target_bytes` (within ~5%), deterministic for (target_bytes, seed).
pub fn generate(cfg: &SynthConfig) -> String {
    render(&build(cfg))
}

/// old/new pair: `old` is [`generate`]`(cfg)`, `new` is `old` with `changes` scattered component
/// edits, spread evenly over the file and rotating over these kinds: a string column's MaxLength
/// changed, a column added, a column's display label changed in one language, an option appended
/// to a local or global option set, a cell (row) added to a form section, a column added to a
/// view, a root-level web resource's content changed (its escaped `DependencyXml` payload: the
/// bytes of the resource itself live in a separate part, not in customizations.xml), a role
/// privilege level changed, a relationship's CascadeDelete changed.
pub fn generate_pair(cfg: &SynthConfig, changes: usize) -> (String, String) {
    let mut m = build(cfg);
    let old = render(&m);
    let sites = collect_sites(&m);
    let mut used = HashSet::new();
    let picks = select(&sites, |_| true, changes, &mut used);
    apply_edits(&mut m, &sites, &picks, 0);
    let new = render(&m);
    (old, new)
}

/// base/ours/theirs: `base` is [`generate`]`(cfg)`; ours and theirs each make `edits_per_side`
/// scattered edits (same kinds as [`generate_pair`]) on different components — every entity and
/// every root component is owned by at most one side, so the two sides never touch the same
/// component nor adjacent lines. In addition both sides add a different new column to the same
/// few entities (1–3), and both append a different option to one global option set: a structured
/// merge of the three is clean.
pub fn generate_triple(cfg: &SynthConfig, edits_per_side: usize) -> (String, String, String) {
    let base_model = build(cfg);
    let base = render(&base_model);
    let sites = collect_sites(&base_model);

    // Units reserved for the "both sides add" edits; they get no other edit.
    let customs: Vec<usize> = (0..base_model.entities.len())
        .filter(|&i| !base_model.entities[i].system)
        .collect();
    let shared_n = (customs.len() / 6).clamp(1, 3).min(customs.len());
    let shared: Vec<usize> = (0..shared_n)
        .map(|j| customs[(2 * j + 1) * customs.len() / (2 * shared_n)])
        .collect();
    let shared_os = base_model.optionsets.len() / 2;
    let mut reserved: HashSet<u32> = shared.iter().map(|&e| e as u32).collect();
    reserved.insert(UNIT_OPTSET + shared_os as u32);
    let side_of = |unit: u32| -> Option<u32> {
        if reserved.contains(&unit) {
            None
        } else {
            Some(unit % 2)
        }
    };

    let mut used = HashSet::new();
    let ours_picks = select(
        &sites,
        |s| side_of(s.unit) == Some(0),
        edits_per_side,
        &mut used,
    );
    let theirs_picks = select(
        &sites,
        |s| side_of(s.unit) == Some(1),
        edits_per_side,
        &mut used,
    );

    let mut ours_model = base_model.clone();
    apply_edits(&mut ours_model, &sites, &ours_picks, 1);
    add_shared(&mut ours_model, &shared, shared_os, 1);
    let ours = render(&ours_model);
    drop(ours_model);

    let mut theirs_model = base_model;
    apply_edits(&mut theirs_model, &sites, &theirs_picks, 2);
    add_shared(&mut theirs_model, &shared, shared_os, 2);
    let theirs = render(&theirs_model);
    (base, ours, theirs)
}

// ---------------------------------------------------------------------------------------------
// PRNG and GUIDs
// ---------------------------------------------------------------------------------------------

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash2(a: u64, b: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x632B_E59B_D9B4_E019)))
}

/// splitmix64.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(mix64(seed ^ 0x5EED_5EED_0BAD_CAFE))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn v4(&mut self) -> u128 {
        let g = (u128::from(self.next()) << 64) | u128::from(self.next());
        let g = (g & !(0xF_u128 << 76)) | (0x4_u128 << 76);
        (g & !(0x3_u128 << 62)) | (0x2_u128 << 62)
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_guid(s: &mut String, g: u128, upper: bool, braces: bool) {
    let hex = if upper { HEX_UPPER } else { HEX_LOWER };
    let mut buf = [0u8; 38];
    let mut n = 0;
    if braces {
        buf[n] = b'{';
        n += 1;
    }
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            buf[n] = b'-';
            n += 1;
        }
        buf[n] = hex[((g >> (124 - 4 * i)) & 0xF) as usize];
        n += 1;
    }
    if braces {
        buf[n] = b'}';
        n += 1;
    }
    s.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
}

fn push_int(s: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = buf.len();
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        n -= 1;
        buf[n] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        s.push('-');
    }
    s.push_str(std::str::from_utf8(&buf[n..]).unwrap_or_default());
}

/// Escapes `&`, `<`, `>` (and `"` when `quote`), the way exports do.
fn push_esc(s: &mut String, text: &str, quote: bool) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            _ => continue,
        };
        s.push_str(&text[start..i]);
        s.push_str(rep);
        start = i + 1;
    }
    s.push_str(&text[start..]);
}

/// Web resource / workflow file-name rule: drop every char outside `[A-Za-z0-9_]`.
fn sanitize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (en, fr, de, es, nl)
// ---------------------------------------------------------------------------------------------

const LCIDS: [&str; 5] = ["1033", "1036", "1031", "3082", "1043"];

type Tr = [&'static str; 5];

/// Nouns used for entity names (English forms are single words).
#[rustfmt::skip]
const NOUNS: &[Tr] = &[
    ["Project", "Projet", "Projekt", "Proyecto", "Project"],
    ["Task", "Tâche", "Aufgabe", "Tarea", "Taak"],
    ["Milestone", "Jalon", "Meilenstein", "Hito", "Mijlpaal"],
    ["Invoice", "Facture", "Rechnung", "Factura", "Factuur"],
    ["Payment", "Paiement", "Zahlung", "Pago", "Betaling"],
    ["Customer", "Client", "Kunde", "Cliente", "Klant"],
    ["Order", "Commande", "Bestellung", "Pedido", "Bestelling"],
    ["Product", "Produit", "Produkt", "Producto", "Product"],
    ["Contract", "Contrat", "Vertrag", "Contrato", "Contract"],
    ["Asset", "Actif", "Anlage", "Activo", "Bedrijfsmiddel"],
    ["Inspection", "Inspection", "Inspektion", "Inspección", "Inspectie"],
    ["Permit", "Permis", "Genehmigung", "Permiso", "Vergunning"],
    ["Application", "Demande", "Antrag", "Solicitud", "Aanvraag"],
    ["Certificate", "Certificat", "Zertifikat", "Certificado", "Certificaat"],
    ["Course", "Cours", "Kurs", "Curso", "Cursus"],
    ["Program", "Programme", "Programm", "Programa", "Programma"],
    ["Region", "Région", "Region", "Región", "Regio"],
    ["Facility", "Installation", "Einrichtung", "Instalación", "Faciliteit"],
    ["Resource", "Ressource", "Ressource", "Recurso", "Resource"],
    ["Funding", "Financement", "Finanzierung", "Financiación", "Financiering"],
    ["Outcome", "Résultat", "Ergebnis", "Resultado", "Resultaat"],
    ["Vendor", "Fournisseur", "Lieferant", "Proveedor", "Leverancier"],
    ["Shipment", "Expédition", "Sendung", "Envío", "Zending"],
    ["Warehouse", "Entrepôt", "Lager", "Almacén", "Magazijn"],
    ["Budget", "Budget", "Budget", "Presupuesto", "Budget"],
    ["Survey", "Enquête", "Umfrage", "Encuesta", "Enquête"],
    ["Event", "Événement", "Veranstaltung", "Evento", "Evenement"],
    ["Visit", "Visite", "Besuch", "Visita", "Bezoek"],
    ["Claim", "Réclamation", "Anspruch", "Reclamación", "Claim"],
    ["Policy", "Police", "Police", "Póliza", "Polis"],
    ["Grant", "Subvention", "Zuschuss", "Subvención", "Subsidie"],
    ["Partner", "Partenaire", "Partner", "Socio", "Partner"],
    ["Device", "Appareil", "Gerät", "Dispositivo", "Apparaat"],
    ["Vehicle", "Véhicule", "Fahrzeug", "Vehículo", "Voertuig"],
    ["Location", "Emplacement", "Standort", "Ubicación", "Locatie"],
    ["Document", "Document", "Dokument", "Documento", "Document"],
    ["Review", "Revue", "Prüfung", "Revisión", "Beoordeling"],
    ["Schedule", "Planning", "Zeitplan", "Calendario", "Planning"],
    ["Member", "Membre", "Mitglied", "Miembro", "Lid"],
    ["Training", "Formation", "Schulung", "Formación", "Training"],
    ["Benefit", "Avantage", "Leistung", "Beneficio", "Uitkering"],
    ["Campaign", "Campagne", "Kampagne", "Campaña", "Campagne"],
    ["Meter", "Compteur", "Zähler", "Contador", "Meter"],
    ["Reading", "Relevé", "Ablesung", "Lectura", "Meting"],
    ["Sample", "Échantillon", "Probe", "Muestra", "Monster"],
    ["Patient", "Patient", "Patient", "Paciente", "Patiënt"],
    ["Appointment", "Rendez-vous", "Termin", "Cita", "Afspraak"],
    ["Medicine", "Médicament", "Medikament", "Medicamento", "Geneesmiddel"],
    ["Room", "Salle", "Raum", "Sala", "Ruimte"],
    ["Booking", "Réservation", "Buchung", "Reserva", "Boeking"],
    ["Agreement", "Accord", "Vereinbarung", "Acuerdo", "Overeenkomst"],
    ["Delivery", "Livraison", "Lieferung", "Entrega", "Levering"],
    ["Employee", "Employé", "Mitarbeiter", "Empleado", "Medewerker"],
    ["Skill", "Compétence", "Fähigkeit", "Habilidad", "Vaardigheid"],
    ["Incident", "Incident", "Vorfall", "Incidente", "Incident"],
    ["Audit", "Audit", "Audit", "Auditoría", "Audit"],
    ["Article", "Article", "Artikel", "Artículo", "Artikel"],
    ["Quote", "Devis", "Angebot", "Cotización", "Offerte"],
    ["Service", "Service", "Dienst", "Servicio", "Dienst"],
    ["Complaint", "Plainte", "Beschwerde", "Queja", "Klacht"],
    ["Donation", "Don", "Spende", "Donación", "Donatie"],
    ["Volunteer", "Bénévole", "Freiwilliger", "Voluntario", "Vrijwilliger"],
    ["Site", "Site", "Gelände", "Sitio", "Terrein"],
];

/// Kind of column a field word gives (by the last word of the column's name).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fc {
    Text,
    Email,
    Phone,
    Url,
    Memo,
    Pick,
    Money,
    Int,
    Dec,
    Date,
    Bit,
    /// Qualifier: only in front of another word.
    Qual,
}

#[rustfmt::skip]
const FIELDS: &[(Tr, Fc)] = &[
    (["Name", "Nom", "Name", "Nombre", "Naam"], Fc::Text),
    (["Code", "Code", "Code", "Código", "Code"], Fc::Text),
    (["Number", "Numéro", "Nummer", "Número", "Nummer"], Fc::Text),
    (["Reference", "Référence", "Referenz", "Referencia", "Referentie"], Fc::Text),
    (["Title", "Titre", "Titel", "Título", "Titel"], Fc::Text),
    (["Email", "E-mail", "E-Mail", "Correo electrónico", "E-mail"], Fc::Email),
    (["Phone", "Téléphone", "Telefon", "Teléfono", "Telefoon"], Fc::Phone),
    (["Mobile", "Portable", "Mobiltelefon", "Móvil", "Mobiel"], Fc::Phone),
    (["Website", "Site web", "Website", "Sitio web", "Website"], Fc::Url),
    (["Address", "Adresse", "Adresse", "Dirección", "Adres"], Fc::Text),
    (["City", "Ville", "Stadt", "Ciudad", "Plaats"], Fc::Text),
    (["Country", "Pays", "Land", "País", "Land"], Fc::Text),
    (["Postcode", "Code postal", "Postleitzahl", "Código postal", "Postcode"], Fc::Text),
    (["Description", "Description", "Beschreibung", "Descripción", "Omschrijving"], Fc::Memo),
    (["Comments", "Commentaires", "Kommentare", "Comentarios", "Opmerkingen"], Fc::Memo),
    (["Notes", "Notes", "Notizen", "Notas", "Notities"], Fc::Memo),
    (["Summary", "Résumé", "Zusammenfassung", "Resumen", "Samenvatting"], Fc::Memo),
    (["Status", "Statut", "Status", "Estado", "Status"], Fc::Pick),
    (["Type", "Type", "Typ", "Tipo", "Type"], Fc::Pick),
    (["Category", "Catégorie", "Kategorie", "Categoría", "Categorie"], Fc::Pick),
    (["Priority", "Priorité", "Priorität", "Prioridad", "Prioriteit"], Fc::Pick),
    (["Stage", "Étape", "Phase", "Etapa", "Fase"], Fc::Pick),
    (["Risk", "Risque", "Risiko", "Riesgo", "Risico"], Fc::Pick),
    (["Reason", "Motif", "Grund", "Motivo", "Reden"], Fc::Pick),
    (["Source", "Source", "Quelle", "Origen", "Bron"], Fc::Pick),
    (["Channel", "Canal", "Kanal", "Canal", "Kanaal"], Fc::Pick),
    (["Size", "Taille", "Größe", "Tamaño", "Grootte"], Fc::Pick),
    (["Amount", "Montant", "Betrag", "Importe", "Bedrag"], Fc::Money),
    (["Cost", "Coût", "Kosten", "Coste", "Kosten"], Fc::Money),
    (["Price", "Prix", "Preis", "Precio", "Prijs"], Fc::Money),
    (["Fee", "Frais", "Gebühr", "Tarifa", "Vergoeding"], Fc::Money),
    (["Balance", "Solde", "Saldo", "Saldo", "Saldo"], Fc::Money),
    (["Quantity", "Quantité", "Menge", "Cantidad", "Aantal"], Fc::Int),
    (["Score", "Score", "Punktzahl", "Puntuación", "Score"], Fc::Int),
    (["Duration", "Durée", "Dauer", "Duración", "Duur"], Fc::Int),
    (["Count", "Nombre", "Anzahl", "Recuento", "Telling"], Fc::Int),
    (["Capacity", "Capacité", "Kapazität", "Capacidad", "Capaciteit"], Fc::Int),
    (["Percentage", "Pourcentage", "Prozentsatz", "Porcentaje", "Percentage"], Fc::Dec),
    (["Weight", "Poids", "Gewicht", "Peso", "Gewicht"], Fc::Dec),
    (["Rating", "Note", "Bewertung", "Valoración", "Waardering"], Fc::Dec),
    (["Rate", "Taux", "Satz", "Tasa", "Tarief"], Fc::Dec),
    (["Date", "Date", "Datum", "Fecha", "Datum"], Fc::Date),
    (["Deadline", "Échéance", "Frist", "Plazo", "Deadline"], Fc::Date),
    (["Approved", "Approuvé", "Genehmigt", "Aprobado", "Goedgekeurd"], Fc::Bit),
    (["Completed", "Terminé", "Abgeschlossen", "Completado", "Voltooid"], Fc::Bit),
    (["Confidential", "Confidentiel", "Vertraulich", "Confidencial", "Vertrouwelijk"], Fc::Bit),
    (["Verified", "Vérifié", "Geprüft", "Verificado", "Geverifieerd"], Fc::Bit),
    (["Billable", "Facturable", "Abrechenbar", "Facturable", "Factureerbaar"], Fc::Bit),
    (["Start", "Début", "Beginn", "Inicio", "Begin"], Fc::Qual),
    (["End", "Fin", "Ende", "Fin", "Einde"], Fc::Qual),
    (["Total", "Total", "Gesamt", "Total", "Totaal"], Fc::Qual),
    (["Primary", "Principal", "Primär", "Principal", "Primair"], Fc::Qual),
    (["Secondary", "Secondaire", "Sekundär", "Secundario", "Secundair"], Fc::Qual),
    (["Estimated", "Estimé", "Geschätzt", "Estimado", "Geschat"], Fc::Qual),
    (["Actual", "Réel", "Tatsächlich", "Real", "Werkelijk"], Fc::Qual),
    (["Internal", "Interne", "Intern", "Interno", "Intern"], Fc::Qual),
    (["External", "Externe", "Extern", "Externo", "Extern"], Fc::Qual),
    (["Last", "Dernier", "Letzte", "Último", "Laatste"], Fc::Qual),
    (["Next", "Prochain", "Nächste", "Próximo", "Volgende"], Fc::Qual),
];

/// Option labels (some contain `&`, `'`, `<`, `>` to exercise escaping).
#[rustfmt::skip]
const OPTION_WORDS: &[Tr] = &[
    ["Low", "Faible", "Niedrig", "Baja", "Laag"],
    ["Medium", "Moyen", "Mittel", "Media", "Gemiddeld"],
    ["High", "Élevé", "Hoch", "Alta", "Hoog"],
    ["Critical", "Critique", "Kritisch", "Crítica", "Kritiek"],
    ["Draft", "Brouillon", "Entwurf", "Borrador", "Concept"],
    ["Submitted", "Soumis", "Eingereicht", "Enviado", "Ingediend"],
    ["Under Review", "En révision", "In Prüfung", "En revisión", "In beoordeling"],
    ["Accepted", "Accepté", "Angenommen", "Aceptado", "Geaccepteerd"],
    ["Rejected", "Rejeté", "Abgelehnt", "Rechazado", "Afgewezen"],
    ["Planned", "Planifié", "Geplant", "Planificado", "Gepland"],
    ["In Progress", "En cours", "In Bearbeitung", "En curso", "Bezig"],
    ["On Hold", "En attente", "Angehalten", "En espera", "In de wacht"],
    ["Done", "Terminé", "Erledigt", "Hecho", "Gereed"],
    ["Cancelled", "Annulé", "Storniert", "Cancelado", "Geannuleerd"],
    ["North", "Nord", "Nord", "Norte", "Noord"],
    ["South", "Sud", "Süd", "Sur", "Zuid"],
    ["East", "Est", "Ost", "Este", "Oost"],
    ["West", "Ouest", "West", "Oeste", "West"],
    ["Central", "Centre", "Zentral", "Centro", "Centraal"],
    ["Standard", "Standard", "Standard", "Estándar", "Standaard"],
    ["Premium", "Premium", "Premium", "Premium", "Premium"],
    ["Basic", "De base", "Basis", "Básico", "Basis"],
    ["Email", "E-mail", "E-Mail", "Correo electrónico", "E-mail"],
    ["Phone", "Téléphone", "Telefon", "Teléfono", "Telefoon"],
    ["Web", "Web", "Web", "Web", "Web"],
    ["In Person", "En personne", "Persönlich", "En persona", "Persoonlijk"],
    ["Partner", "Partenaire", "Partner", "Socio", "Partner"],
    ["Small (< 50)", "Petite (< 50)", "Klein (< 50)", "Pequeña (< 50)", "Klein (< 50)"],
    ["Medium (50 - 500)", "Moyenne (50 - 500)", "Mittel (50 - 500)", "Mediana (50 - 500)", "Middel (50 - 500)"],
    ["Large (> 500)", "Grande (> 500)", "Groß (> 500)", "Grande (> 500)", "Groot (> 500)"],
    ["Research & Development", "Recherche & développement", "Forschung & Entwicklung", "Investigación y desarrollo", "Onderzoek & ontwikkeling"],
    ["Sales & Marketing", "Ventes & marketing", "Vertrieb & Marketing", "Ventas y marketing", "Verkoop & marketing"],
    ["Operations", "Opérations", "Betrieb", "Operaciones", "Operaties"],
    ["Finance", "Finances", "Finanzen", "Finanzas", "Financiën"],
    ["Other", "Autre", "Sonstiges", "Otro", "Overig"],
    ["Customer's Request", "Demande du client", "Kundenwunsch", "Solicitud del cliente", "Verzoek van klant"],
    ["Budget Constraints", "Contraintes budgétaires", "Budgetbeschränkungen", "Restricciones presupuestarias", "Budgetbeperkingen"],
    ["Duplicate", "Doublon", "Duplikat", "Duplicado", "Duplicaat"],
    ["Critical Path", "Chemin critique", "Kritischer Pfad", "Ruta crítica", "Kritiek pad"],
    ["Escalated", "Remonté", "Eskaliert", "Escalado", "Geëscaleerd"],
];

/// Option scales (indices into OPTION_WORDS).
#[rustfmt::skip]
const SCALES: &[&[u16]] = &[
    &[0, 1, 2, 3],
    &[4, 5, 6, 7, 8],
    &[9, 10, 11, 12, 13],
    &[14, 15, 16, 17, 18],
    &[19, 20, 21],
    &[22, 23, 24, 25, 26],
    &[27, 28, 29],
    &[30, 31, 32, 33, 34],
    &[35, 36, 37, 34],
];

/// Words for tabs, sections, views, apps.
#[rustfmt::skip]
const MISC: &[Tr] = &[
    ["General", "Général", "Allgemein", "General", "Algemeen"],
    ["Details", "Détails", "Details", "Detalles", "Details"],
    ["Related", "Associé", "Verknüpft", "Relacionado", "Gerelateerd"],
    ["Information", "Informations", "Informationen", "Información", "Informatie"],
    ["Administration", "Administration", "Verwaltung", "Administración", "Beheer"],
    ["Timeline", "Chronologie", "Zeitachse", "Escala de tiempo", "Tijdlijn"],
    ["Active", "Actifs", "Aktive", "Activos", "Actieve"],
    ["Inactive", "Inactifs", "Inaktive", "Inactivos", "Inactieve"],
    ["Advanced Find View", "Vue Recherche avancée", "Ansicht „Erweiterte Suche“", "Vista de búsqueda avanzada", "Weergave Geavanceerd zoeken"],
    ["Associated View", "Vue associée", "Zugeordnete Ansicht", "Vista asociada", "Gekoppelde weergave"],
    ["Lookup View", "Vue de recherche", "Suchansicht", "Vista de búsqueda", "Zoekweergave"],
    ["Quick Find", "Recherche rapide", "Schnellsuche", "Búsqueda rápida", "Snel zoeken"],
    ["My", "Mes", "Meine", "Mis", "Mijn"],
    ["Open", "Ouverts", "Offene", "Abiertos", "Open"],
    ["Recent", "Récents", "Aktuelle", "Recientes", "Recente"],
    ["Form", "Formulaire", "Formular", "Formulario", "Formulier"],
    ["Main", "Principal", "Haupt", "Principal", "Hoofd"],
    ["Quick Create", "Création rapide", "Schnellerfassung", "Creación rápida", "Snel maken"],
    ["Card", "Carte", "Karte", "Tarjeta", "Kaart"],
    ["Overview", "Vue d'ensemble", "Übersicht", "Información general", "Overzicht"],
    ["Dashboard", "Tableau de bord", "Dashboard", "Panel", "Dashboard"],
    ["Management", "Gestion", "Verwaltung", "Gestión", "Beheer"],
    ["Hub", "Hub", "Hub", "Centro", "Hub"],
    ["Settings", "Paramètres", "Einstellungen", "Configuración", "Instellingen"],
    ["Operations", "Opérations", "Betrieb", "Operaciones", "Operaties"],
];
const M_GENERAL: u16 = 0;
const M_DETAILS: u16 = 1;
const M_RELATED: u16 = 2;
const M_INFORMATION: u16 = 3;
const M_ADMIN: u16 = 4;
const M_ACTIVE: u16 = 6;
const M_INACTIVE: u16 = 7;
const M_ADVFIND: u16 = 8;
const M_ASSOC: u16 = 9;
const M_LOOKUP: u16 = 10;
const M_QUICKFIND: u16 = 11;
const M_MY: u16 = 12;
const M_OPEN: u16 = 13;
const M_RECENT: u16 = 14;
const M_FORM: u16 = 15;
const M_MAIN: u16 = 16;
const M_QUICKCREATE: u16 = 17;
const M_CARD: u16 = 18;
const M_OVERVIEW: u16 = 19;
const M_DASHBOARD: u16 = 20;
const M_MANAGEMENT: u16 = 21;
const M_HUB: u16 = 22;
const M_SETTINGS: u16 = 23;
const M_OPERATIONS: u16 = 24;

/// System labels and descriptions.
#[rustfmt::skip]
const SYS: &[Tr] = &[
    /* 0 */ ["Created By", "Créé par", "Erstellt von", "Creado por", "Gemaakt door"],
    /* 1 */ ["Unique identifier of the user who created the record.", "Identificateur unique de l'utilisateur qui a créé l'enregistrement.", "Eindeutige ID des Benutzers, der den Datensatz erstellt hat.", "Identificador único del usuario que creó el registro.", "Unieke id van de gebruiker die de record heeft gemaakt."],
    /* 2 */ ["Created On", "Créé le", "Erstellt am", "Fecha de creación", "Gemaakt op"],
    /* 3 */ ["Date and time when the record was created.", "Date et heure de création de l'enregistrement.", "Datum und Uhrzeit der Erstellung des Datensatzes.", "Fecha y hora de creación del registro.", "Datum en tijd waarop de record is gemaakt."],
    /* 4 */ ["Created By (Delegate)", "Créé par (délégué)", "Erstellt von (Delegat)", "Creado por (delegado)", "Gemaakt door (gemachtigde)"],
    /* 5 */ ["Unique identifier of the delegate user who created the record.", "Identificateur unique du délégué qui a créé l'enregistrement.", "Eindeutige ID des delegierten Benutzers, der den Datensatz erstellt hat.", "Identificador único del usuario delegado que creó el registro.", "Unieke id van de gemachtigde gebruiker die de record heeft gemaakt."],
    /* 6 */ ["Import Sequence Number", "Numéro de séquence d'importation", "Importsequenznummer", "Número de secuencia de importación", "Volgnummer import"],
    /* 7 */ ["Sequence number of the import that created this record.", "Numéro de séquence de l'importation qui a créé cet enregistrement.", "Sequenznummer des Imports, durch den dieser Datensatz erstellt wurde.", "Número de secuencia de la importación que creó este registro.", "Volgnummer van de import waarmee deze record is gemaakt."],
    /* 8 */ ["Modified By", "Modifié par", "Geändert von", "Modificado por", "Gewijzigd door"],
    /* 9 */ ["Unique identifier of the user who modified the record.", "Identificateur unique de l'utilisateur qui a modifié l'enregistrement.", "Eindeutige ID des Benutzers, der den Datensatz geändert hat.", "Identificador único del usuario que modificó el registro.", "Unieke id van de gebruiker die de record heeft gewijzigd."],
    /* 10 */ ["Modified On", "Modifié le", "Geändert am", "Fecha de modificación", "Gewijzigd op"],
    /* 11 */ ["Date and time when the record was modified.", "Date et heure de modification de l'enregistrement.", "Datum und Uhrzeit der Änderung des Datensatzes.", "Fecha y hora de modificación del registro.", "Datum en tijd waarop de record is gewijzigd."],
    /* 12 */ ["Modified By (Delegate)", "Modifié par (délégué)", "Geändert von (Delegat)", "Modificado por (delegado)", "Gewijzigd door (gemachtigde)"],
    /* 13 */ ["Unique identifier of the delegate user who modified the record.", "Identificateur unique du délégué qui a modifié l'enregistrement.", "Eindeutige ID des delegierten Benutzers, der den Datensatz geändert hat.", "Identificador único del usuario delegado que modificó el registro.", "Unieke id van de gemachtigde gebruiker die de record heeft gewijzigd."],
    /* 14 */ ["Record Created On", "Enregistrement créé le", "Datensatz erstellt am", "Registro creado el", "Record gemaakt op"],
    /* 15 */ ["Date and time that the record was migrated.", "Date et heure de migration de l'enregistrement.", "Datum und Uhrzeit der Migration des Datensatzes.", "Fecha y hora en que se migró el registro.", "Datum en tijd waarop de record is gemigreerd."],
    /* 16 */ ["Owner", "Propriétaire", "Besitzer", "Propietario", "Eigenaar"],
    /* 17 */ ["Owner Id", "ID du propriétaire", "Besitzer-ID", "Id. de propietario", "Id eigenaar"],
    /* 18 */ ["Owning Business Unit", "Division propriétaire", "Besitzende Unternehmenseinheit", "Unidad de negocio propietaria", "Bedrijfseenheid eigenaar"],
    /* 19 */ ["Unique identifier for the business unit that owns the record", "Identificateur unique de la division propriétaire de l'enregistrement", "Eindeutige ID der Unternehmenseinheit, die Besitzer des Datensatzes ist", "Identificador único de la unidad de negocio propietaria del registro", "Unieke id van de bedrijfseenheid die eigenaar is van de record"],
    /* 20 */ ["Owning Team", "Équipe propriétaire", "Besitzendes Team", "Equipo propietario", "Team eigenaar"],
    /* 21 */ ["Unique identifier for the team that owns the record.", "Identificateur unique de l'équipe propriétaire de l'enregistrement.", "Eindeutige ID des Teams, das Besitzer des Datensatzes ist.", "Identificador único del equipo propietario del registro.", "Unieke id van het team dat eigenaar is van de record."],
    /* 22 */ ["Owning User", "Utilisateur propriétaire", "Besitzender Benutzer", "Usuario propietario", "Gebruiker eigenaar"],
    /* 23 */ ["Unique identifier for the user that owns the record.", "Identificateur unique de l'utilisateur propriétaire de l'enregistrement.", "Eindeutige ID des Benutzers, der Besitzer des Datensatzes ist.", "Identificador único del usuario propietario del registro.", "Unieke id van de gebruiker die eigenaar is van de record."],
    /* 24 */ ["Status", "Statut", "Status", "Estado", "Status"],
    /* 25 */ ["Status of the record", "Statut de l'enregistrement", "Status des Datensatzes", "Estado del registro", "Status van de record"],
    /* 26 */ ["Status Reason", "Raison du statut", "Statusgrund", "Razón para el estado", "Reden voor status"],
    /* 27 */ ["Reason for the status of the record", "Raison du statut de l'enregistrement", "Grund für den Status des Datensatzes", "Motivo del estado del registro", "Reden voor de status van de record"],
    /* 28 */ ["Time Zone Rule Version Number", "Numéro de version de la règle de fuseau horaire", "Versionsnummer der Zeitzonenregel", "Número de versión de regla de zona horaria", "Versienummer tijdzoneregel"],
    /* 29 */ ["For internal use only.", "À usage interne uniquement.", "Nur zur internen Verwendung.", "Solo para uso interno.", "Alleen voor intern gebruik."],
    /* 30 */ ["UTC Conversion Time Zone Code", "Code de fuseau horaire de conversion UTC", "UTC-Umrechnungszeitzonencode", "Código de zona horaria de conversión UTC", "Tijdzonecode UTC-conversie"],
    /* 31 */ ["Time zone code that was in use when the record was created.", "Code du fuseau horaire utilisé lors de la création de l'enregistrement.", "Zeitzonencode, der bei der Erstellung des Datensatzes verwendet wurde.", "Código de la zona horaria que estaba en uso cuando se creó el registro.", "Tijdzonecode die werd gebruikt toen de record werd gemaakt."],
    /* 32 */ ["Version Number", "Numéro de version", "Versionsnummer", "Número de versión", "Versienummer"],
    /* 33 */ ["Unique identifier for entity instances", "Identificateur unique des instances d'entité", "Eindeutige ID für Entitätsinstanzen", "Identificador único de instancias de entidad", "Unieke id voor entiteitsexemplaren"],
    /* 34 */ ["The name of the custom entity.", "Nom de l'entité personnalisée.", "Der Name der benutzerdefinierten Entität.", "El nombre de la entidad personalizada.", "De naam van de aangepaste entiteit."],
    /* 35 */ ["Active", "Actif", "Aktiv", "Activo", "Actief"],
    /* 36 */ ["Inactive", "Inactif", "Inaktiv", "Inactivo", "Inactief"],
    /* 37 */ ["Name", "Nom", "Name", "Nombre", "Naam"],
    /* 38 */ ["Yes", "Oui", "Ja", "Sí", "Ja"],
    /* 39 */ ["No", "Non", "Nein", "No", "Nee"],
    /* 40 */ ["Account", "Compte", "Firma", "Cuenta", "Account"],
    /* 41 */ ["Accounts", "Comptes", "Firmen", "Cuentas", "Accounts"],
    /* 42 */ ["Business that represents a customer or potential customer.", "Société qui représente un client ou un client potentiel.", "Unternehmen, das einen Kunden oder potenziellen Kunden darstellt.", "Negocio que representa a un cliente o posible cliente.", "Bedrijf dat een klant of potentiële klant vertegenwoordigt."],
    /* 43 */ ["Contact", "Contact", "Kontakt", "Contacto", "Contactpersoon"],
    /* 44 */ ["Contacts", "Contacts", "Kontakte", "Contactos", "Contactpersonen"],
    /* 45 */ ["Person with whom a business unit has a relationship, such as customer, supplier, and colleague.", "Personne avec laquelle une division entretient une relation, comme un client, un fournisseur ou un collègue.", "Person, mit der eine Unternehmenseinheit eine Beziehung hat, z. B. Kunde, Lieferant oder Kollege.", "Persona con la que una unidad de negocio tiene relación, como un cliente, un proveedor o un compañero.", "Persoon met wie een bedrijfseenheid een relatie heeft, zoals een klant, leverancier of collega."],
    /* 46 */ ["Account Name", "Nom du compte", "Firmenname", "Nombre de cuenta", "Accountnaam"],
    /* 47 */ ["Type the company or business name.", "Tapez le nom de la société ou de l'entreprise.", "Geben Sie den Firmen- oder Unternehmensnamen ein.", "Escriba el nombre de la compañía o negocio.", "Typ de naam van het bedrijf."],
    /* 48 */ ["Account Number", "Numéro de compte", "Firmennummer", "Número de cuenta", "Accountnummer"],
    /* 49 */ ["Main Phone", "Téléphone principal", "Haupttelefon", "Teléfono principal", "Hoofdtelefoon"],
    /* 50 */ ["Address 1: City", "Adresse 1 : ville", "Adresse 1: Ort", "Dirección 1: ciudad", "Adres 1: plaats"],
    /* 51 */ ["Full Name", "Nom complet", "Vollständiger Name", "Nombre completo", "Volledige naam"],
    /* 52 */ ["First Name", "Prénom", "Vorname", "Nombre", "Voornaam"],
    /* 53 */ ["Last Name", "Nom", "Nachname", "Apellidos", "Achternaam"],
    /* 54 */ ["Email", "Adresse de messagerie", "E-Mail", "Correo electrónico", "E-mail"],
    /* 55 */ ["Unique identifier of the account.", "Identificateur unique du compte.", "Eindeutige ID der Firma.", "Identificador único de la cuenta.", "Unieke id van het account."],
    /* 56 */ ["Unique identifier of the contact.", "Identificateur unique du contact.", "Eindeutige ID des Kontakts.", "Identificador único del contacto.", "Unieke id van de contactpersoon."],
];

// Word ids: one u16 space over the tables.
const W_NOUN: u16 = 0;
const W_FIELD: u16 = 1000;
const W_OPT: u16 = 2000;
const W_MISC: u16 = 3000;

fn word(id: u16) -> &'static Tr {
    match id {
        0..1000 => &NOUNS[id as usize],
        1000..2000 => &FIELDS[(id - W_FIELD) as usize].0,
        2000..3000 => &OPTION_WORDS[(id - W_OPT) as usize],
        _ => &MISC[(id - W_MISC) as usize],
    }
}

fn plural_into(s: &mut String, w: &str, li: usize) {
    let ends = |x: &str| w.ends_with(x);
    match li {
        0 => {
            if ends("s") || ends("x") || ends("ch") || ends("sh") {
                s.push_str(w);
                s.push_str("es");
            } else if ends("y") && !(ends("ay") || ends("ey") || ends("oy")) {
                s.push_str(&w[..w.len() - 1]);
                s.push_str("ies");
            } else {
                s.push_str(w);
                s.push('s');
            }
        }
        1 => {
            s.push_str(w);
            if !(ends("s") || ends("x") || ends("z")) {
                s.push('s');
            }
        }
        2 => {
            s.push_str(w);
            if ends("e") {
                s.push('n');
            } else if ends("ung") || ends("heit") || ends("keit") {
                s.push_str("en");
            } else if !(ends("er") || ends("el")) {
                s.push('e');
            }
        }
        3 => {
            s.push_str(w);
            if ends("a") || ends("e") || ends("o") || ends("é") {
                s.push('s');
            } else {
                s.push_str("es");
            }
        }
        _ => {
            s.push_str(w);
            if ends("e") {
                s.push('n');
            } else {
                s.push_str("en");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

/// Up to five words, translated word by word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Phrase {
    w: [u16; 5],
    n: u8,
    plural: bool,
}

impl Phrase {
    fn of(words: &[u16]) -> Phrase {
        let mut w = [0u16; 5];
        let n = words.len().min(5);
        w[..n].copy_from_slice(&words[..n]);
        Phrase {
            w,
            n: n as u8,
            plural: false,
        }
    }
    fn words(&self) -> &[u16] {
        &self.w[..self.n as usize]
    }
    fn plural(mut self) -> Phrase {
        self.plural = true;
        self
    }
    fn push(mut self, id: u16) -> Phrase {
        if (self.n as usize) < 5 {
            self.w[self.n as usize] = id;
            self.n += 1;
        }
        self
    }
    fn then(self, other: Phrase) -> Phrase {
        other.words().iter().fold(self, |p, &id| p.push(id))
    }
    /// English words concatenated, for schema names.
    fn camel(&self) -> String {
        let mut s = String::new();
        for &id in self.words() {
            s.extend(word(id)[0].chars().filter(|c| c.is_ascii_alphanumeric()));
        }
        s
    }
}

#[derive(Clone, Debug)]
enum Text {
    /// `description=""`, base language only.
    Empty,
    Words(Phrase),
    Sys(u16),
    /// The same string in every language.
    Lit(Box<str>),
    /// Explicit per-language strings, rendered in this order (written by edits).
    Custom(Box<[(u8, Box<str>)]>),
}

fn push_text(s: &mut String, t: &Text, li: usize, quote: bool) {
    match t {
        Text::Empty => {}
        Text::Words(p) => {
            let n = p.n as usize;
            for (i, &id) in p.words().iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                let w = word(id)[li];
                if p.plural && i + 1 == n {
                    let mut tmp = String::with_capacity(w.len() + 3);
                    plural_into(&mut tmp, w, li);
                    push_esc(s, &tmp, quote);
                } else {
                    push_esc(s, w, quote);
                }
            }
        }
        Text::Sys(i) => push_esc(s, SYS[*i as usize][li], quote),
        Text::Lit(x) => push_esc(s, x, quote),
        Text::Custom(v) => {
            if let Some((_, x)) = v.iter().find(|(l, _)| *l as usize == li).or(v.first()) {
                push_esc(s, x, quote);
            }
        }
    }
}

fn text_string(t: &Text, li: usize) -> String {
    let mut s = String::new();
    push_text(&mut s, t, li, false);
    s
}

/// A localized label collection.
#[derive(Clone, Debug)]
struct Labels {
    text: Text,
    /// All org languages (else the base language only).
    all: bool,
    /// Language order variant: 0 = org order, 1..=3 = other orders (export noise).
    order: u8,
}

impl Labels {
    fn new(text: Text, all: bool) -> Labels {
        Labels {
            text,
            all,
            order: 0,
        }
    }
    fn empty() -> Labels {
        Labels::new(Text::Empty, false)
    }
    fn words(p: Phrase) -> Labels {
        Labels::new(Text::Words(p), true)
    }
    fn sys(i: u16) -> Labels {
        Labels::new(Text::Sys(i), true)
    }
    fn lit(s: &str) -> Labels {
        Labels::new(Text::Lit(s.into()), false)
    }
}

fn perm(order: u8, n: usize, k: usize) -> usize {
    match order {
        1 => (k + 1) % n,
        2 if n >= 2 => [1, 0, 2, 3, 4][k],
        3 => n - 1 - k,
        _ => k,
    }
}

/// Language indices (into LCIDS) of a label collection, in render order.
fn label_langs(m: &Model, l: &Labels) -> ([u8; 5], usize) {
    let mut out = [0u8; 5];
    match &l.text {
        Text::Custom(v) => {
            let n = v.len().min(5);
            for (k, (li, _)) in v.iter().take(5).enumerate() {
                out[k] = *li;
            }
            (out, n)
        }
        Text::Empty => (out, 1),
        _ => {
            if l.all && m.langs.len() > 1 {
                let n = m.langs.len();
                for (k, slot) in out.iter_mut().enumerate().take(n) {
                    *slot = m.langs[perm(l.order, n, k)];
                }
                (out, n)
            } else {
                (out, 1)
            }
        }
    }
}

#[derive(Clone)]
struct Model {
    seed: u64,
    langs: Vec<u8>,
    prefix: String,
    org_version: String,
    serviceability: String,
    opt_prefix: i64,
    entities: Vec<Entity>,
    optionsets: Vec<OptSet>,
    roles: Vec<Role>,
    priv_names: Vec<String>,
    workflows: Vec<Workflow>,
    fsps: Vec<Fsp>,
    maps: Vec<EntityMap>,
    rels: Vec<Relationship>,
    dashboards: Vec<Dashboard>,
    webs: Vec<WebRes>,
    assemblies: Vec<Assembly>,
    steps: Vec<Step>,
    apps: Vec<App>,
}

#[derive(Clone)]
struct Entity {
    schema: String,
    logical: String,
    system: bool,
    name: Labels,
    plural: Labels,
    desc: Labels,
    attrs: Vec<Attr>,
    forms: Vec<Form>,
    views: Vec<View>,
    flags: u64,
    intro: u8,
    ribbon_hide: bool,
    primary_id: String,
    primary_name: String,
}

#[derive(Clone)]
struct Attr {
    physical: String,
    logical: String,
    ty: Ty,
    /// 0 none, 1 recommended, 2 applicationrequired, 3 systemrequired.
    req: u8,
    /// Index into MASKS, 255 = no DisplayMask element.
    mask: u8,
    /// 0 = no ImeMode element, else index into IME.
    ime: u8,
    custom: bool,
    unmodified: bool,
    flags: u8,
    intro: u8,
    source: u8,
    display: Labels,
    desc: Labels,
}

const F_AUDIT: u8 = 1;
const F_SECURED: u8 = 2;
const F_SEARCH: u8 = 4;
const F_FILTER: u8 = 8;
const F_RETRIEVE: u8 = 16;
const F_UPDATE: u8 = 32;
const F_CREATE: u8 = 64;
const F_NOREQMOD: u8 = 128;

#[derive(Clone)]
enum Ty {
    PrimaryKey,
    Str {
        format: u8,
        max: i64,
    },
    Memo {
        format: u8,
        max: i64,
    },
    Int {
        format: u8,
        min: i64,
        max: i64,
    },
    BigInt,
    Decimal {
        min: i64,
        max: i64,
        prec: u8,
    },
    Money {
        prec: u8,
    },
    DateTime {
        date_only: bool,
        can_change: bool,
    },
    Lookup,
    Owner,
    Bit(Box<OptSet>),
    Picklist {
        set: Option<Box<OptSet>>,
        global: Option<String>,
        default: Option<i64>,
    },
    State(Box<OptSet>),
    Status(Box<OptSet>),
}

#[derive(Clone)]
struct OptSet {
    name: String,
    /// 0 picklist, 1 bit, 2 state, 3 status.
    kind: u8,
    global: bool,
    display: Labels,
    desc: Labels,
    options: Vec<Opt>,
    intro: u8,
}

#[derive(Clone)]
struct Opt {
    value: i64,
    labels: Labels,
    /// Emit an (empty) `Descriptions` collection.
    desc: bool,
    /// status: its state; state: its default status.
    extra: i64,
    color: Option<&'static str>,
    /// status: allowed target statuses (escaped TransitionData attribute).
    transitions: Vec<i64>,
}

#[derive(Clone)]
struct Form {
    id: u128,
    /// 0 main, 1 quickCreate, 2 quick, 3 card.
    kind: u8,
    name: Labels,
    desc: Labels,
    tabs: Vec<Tab>,
    header_id: u128,
    header: Vec<Cell>,
    libs: Vec<(String, u128)>,
    events: Vec<Event>,
    intro: u8,
}

#[derive(Clone)]
struct Tab {
    id: u128,
    name: String,
    labels: Labels,
    columns: Vec<Column>,
}

#[derive(Clone)]
struct Column {
    width: u8,
    sections: Vec<Section>,
}

#[derive(Clone)]
struct Section {
    id: u128,
    name: String,
    labels: Labels,
    show_label: bool,
    cells: Vec<Cell>,
}

#[derive(Clone)]
struct Cell {
    id: u128,
    labels: Labels,
    ctl: Ctl,
}

#[derive(Clone)]
enum Ctl {
    Field {
        id: String,
        attr: String,
        class: &'static str,
    },
    Subgrid {
        id: String,
        target: String,
        view: u128,
        rel: String,
    },
    QuickView {
        id: String,
        attr: String,
        target: String,
        form: u128,
    },
}

#[derive(Clone)]
struct Event {
    name: &'static str,
    attr: Option<String>,
    handlers: Vec<Handler>,
}

#[derive(Clone)]
struct Handler {
    func: String,
    lib: String,
    id: u128,
    params: String,
}

#[derive(Clone)]
struct View {
    id: u128,
    name: Labels,
    desc: Option<Labels>,
    qtype: i64,
    is_default: bool,
    quick_find: bool,
    can_delete: bool,
    /// Grid/row names from the plural entity name (associated/lookup views) instead of resultset.
    entity_grid: bool,
    cols: Vec<(String, i64)>,
    order: Option<String>,
    state: Option<i64>,
    find_fields: Vec<String>,
    intro: u8,
}

#[derive(Clone)]
struct Role {
    id: u128,
    name: String,
    privs: Vec<(u32, u8)>,
}

#[derive(Clone)]
struct Workflow {
    id: u128,
    name: String,
    /// 0 classic background, 1 real-time classic, 2 business rule, 3 cloud flow.
    kind: u8,
    entity: String,
    desc: Option<String>,
    intro: u8,
    update_attrs: String,
    on_create: bool,
}

#[derive(Clone)]
struct Fsp {
    id: u128,
    name: String,
    perms: Vec<(String, String, u8)>,
}

#[derive(Clone)]
struct EntityMap {
    source: String,
    target: String,
    pairs: Vec<(String, String)>,
}

#[derive(Clone)]
struct Relationship {
    name: String,
    referencing: String,
    referenced: String,
    attr: String,
    nav: String,
    cascade_delete: u8,
    cascade_assign: u8,
    intro: u8,
    desc: Labels,
    order: i64,
}

#[derive(Clone)]
struct Dashboard {
    id: u128,
    name: Labels,
    /// (entity logical name, view id, cell id, control unique id, label)
    grids: Vec<(String, u128, u128, u128, Labels)>,
    tab_id: u128,
    section_id: u128,
}

#[derive(Clone)]
struct WebRes {
    id: u128,
    name: String,
    display: String,
    /// WebResourceType: 1 HTML, 2 CSS, 3 JS, 11 SVG.
    kind: u8,
    intro: u8,
    deps: Vec<(String, u128)>,
}

#[derive(Clone)]
struct Assembly {
    id: u128,
    name: String,
    types: Vec<(String, u128, u128)>,
}

#[derive(Clone)]
struct Step {
    id: u128,
    type_idx: usize,
    message: &'static str,
    message_id: u128,
    entity: String,
    stage: i64,
    mode: i64,
    rank: i64,
    filtering: String,
}

#[derive(Clone)]
struct App {
    unique: String,
    name: Labels,
    desc: Labels,
    intro: u8,
    icon: u128,
    /// (type, schemaName or empty, id)
    components: Vec<(i64, String, u128)>,
    roles: Vec<u128>,
    areas: Vec<Area>,
    /// Logical names of the entities of this app (filled while generating).
    entities: Vec<String>,
}

#[derive(Clone)]
struct Area {
    id: String,
    title: Labels,
    groups: Vec<Group>,
}

#[derive(Clone)]
struct Group {
    id: String,
    title: Labels,
    subs: Vec<(String, String)>,
}

const INTRO: [&str; 7] = [
    "1.0", "1.0.0.0", "1.0.0.1", "1.0.0.2", "1.0.0.3", "1.1.0.0", "5.0.0.0",
];
const REQ: [&str; 4] = [
    "none",
    "recommended",
    "applicationrequired",
    "systemrequired",
];
const MASKS: [&str; 5] = [
    "ValidForAdvancedFind|ValidForForm|ValidForGrid",
    "ValidForAdvancedFind|RequiredForGrid",
    "PrimaryName|ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm",
    "ValidForAdvancedFind",
    "ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm",
];
const IME: [&str; 4] = ["", "auto", "inactive", "disabled"];
const STR_FORMATS: [&str; 4] = ["text", "email", "phone", "url"];
const MEMO_FORMATS: [&str; 2] = ["textarea", "richtext"];
const LEVELS: [&str; 4] = ["Basic", "Local", "Deep", "Global"];
const CASCADE_DELETE: [&str; 3] = ["RemoveLink", "Restrict", "Cascade"];
const CASCADE: [&str; 2] = ["NoCascade", "Cascade"];
const FORM_TYPES: [&str; 4] = ["main", "quickCreate", "quick", "card"];
const COLORS: [&str; 6] = [
    "#0000ff", "#ff0000", "#00b294", "#ffb900", "#8764b8", "#038387",
];
const PRIV_OPS: [&str; 8] = [
    "Append", "AppendTo", "Assign", "Create", "Delete", "Read", "Share", "Write",
];
const MISC_PRIVS: [&str; 16] = [
    "prvActivateSynchronousWorkflow",
    "prvAddressBook",
    "prvBulkDelete",
    "prvCreateUserQuery",
    "prvExportToExcel",
    "prvGoOffline",
    "prvMerge",
    "prvReadBusinessUnit",
    "prvReadPluginAssembly",
    "prvReadSdkMessage",
    "prvReadSystemUser",
    "prvReadUserQuery",
    "prvReadWebResource",
    "prvSendEmail",
    "prvUseInternetMarketing",
    "prvWriteUserQuery",
];

const CLS_TEXT: &str = "{4273EDBD-AC1D-40d3-9FB2-095C621B552D}";
const CLS_LOOKUP: &str = "{270BD3DB-D9AF-4782-9025-509E298DEC0A}";
const CLS_PICK: &str = "{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}";
const CLS_BIT: &str = "{67FAC785-CD58-4F9F-ABB3-4B7DDC6ED5ED}";
const CLS_DATE: &str = "{5B773807-9FB2-42db-97C3-7A91EFF8ADFF}";
const CLS_INT: &str = "{C6D124CA-7EDA-4a60-AEA9-7FB8D318B68F}";
const CLS_MONEY: &str = "{533B9E00-756B-4312-95A0-DC888637AC78}";
const CLS_DEC: &str = "{C3EFE0C3-0EC6-42be-8349-CBD9079DFD8E}";
const CLS_MEMO: &str = "{E0DECE4B-6FC8-4a8f-A065-082708572369}";
const CLS_EMAIL: &str = "{ADA2203E-B4CD-49be-9DDF-234642B43B52}";
const CLS_URL: &str = "{71716B6C-711E-476c-8AB8-5D11542BFB47}";
const CLS_SUBGRID: &str = "{E7A81278-8635-4D9E-8D4D-59480B391C5B}";
const CLS_QUICKVIEW: &str = "{5C5600E0-1D6E-4205-A272-BE80DA87FD42}";

fn class_of(ty: &Ty) -> &'static str {
    match ty {
        Ty::Str { format: 1, .. } => CLS_EMAIL,
        Ty::Str { format: 3, .. } => CLS_URL,
        Ty::Str { .. } | Ty::PrimaryKey => CLS_TEXT,
        Ty::Memo { .. } => CLS_MEMO,
        Ty::Int { .. } | Ty::BigInt => CLS_INT,
        Ty::Decimal { .. } => CLS_DEC,
        Ty::Money { .. } => CLS_MONEY,
        Ty::DateTime { .. } => CLS_DATE,
        Ty::Lookup | Ty::Owner => CLS_LOOKUP,
        Ty::Bit(_) => CLS_BIT,
        Ty::Picklist { .. } | Ty::State(_) | Ty::Status(_) => CLS_PICK,
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

const INDENT: &str =
    "                                                                                ";

/// The output buffer: every line but the first starts with CRLF + indentation, so the document
/// never ends with a newline.
struct W {
    s: String,
}

impl W {
    fn new(cap: usize) -> W {
        W {
            s: String::with_capacity(cap),
        }
    }
    #[inline]
    fn nl(&mut self, d: usize) {
        self.s.push_str("\r\n");
        self.s.push_str(&INDENT[..2 * d]);
    }
    fn open(&mut self, d: usize, tag: &str) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
        self.s.push('>');
    }
    fn close(&mut self, d: usize, tag: &str) {
        self.nl(d);
        self.s.push_str("</");
        self.s.push_str(tag);
        self.s.push('>');
    }
    fn empty(&mut self, d: usize, tag: &str) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
        self.s.push_str(" />");
    }
    /// `<tag>escaped text</tag>` (an empty text gives `<tag></tag>`, as exports write it).
    fn el(&mut self, d: usize, tag: &str, text: &str) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
        self.s.push('>');
        push_esc(&mut self.s, text, false);
        self.s.push_str("</");
        self.s.push_str(tag);
        self.s.push('>');
    }
    fn num(&mut self, d: usize, tag: &str, v: i64) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
        self.s.push('>');
        push_int(&mut self.s, v);
        self.s.push_str("</");
        self.s.push_str(tag);
        self.s.push('>');
    }
    fn flag(&mut self, d: usize, tag: &str, v: bool) {
        self.num(d, tag, i64::from(v));
    }
    fn guid_el(&mut self, d: usize, tag: &str, g: u128) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
        self.s.push('>');
        push_guid(&mut self.s, g, false, true);
        self.s.push_str("</");
        self.s.push_str(tag);
        self.s.push('>');
    }
    fn start(&mut self, d: usize, tag: &str) {
        self.nl(d);
        self.s.push('<');
        self.s.push_str(tag);
    }
    fn attr(&mut self, name: &str, value: &str) {
        self.s.push(' ');
        self.s.push_str(name);
        self.s.push_str("=\"");
        push_esc(&mut self.s, value, true);
        self.s.push('"');
    }
    fn attr_num(&mut self, name: &str, v: i64) {
        self.s.push(' ');
        self.s.push_str(name);
        self.s.push_str("=\"");
        push_int(&mut self.s, v);
        self.s.push('"');
    }
    fn attr_guid(&mut self, name: &str, g: u128, braces: bool) {
        self.s.push(' ');
        self.s.push_str(name);
        self.s.push_str("=\"");
        push_guid(&mut self.s, g, false, braces);
        self.s.push('"');
    }
    fn attr_text(&mut self, name: &str, t: &Text, li: usize) {
        self.s.push(' ');
        self.s.push_str(name);
        self.s.push_str("=\"");
        push_text(&mut self.s, t, li, true);
        self.s.push('"');
    }
    fn gt(&mut self) {
        self.s.push('>');
    }
    fn end(&mut self) {
        self.s.push_str(" />");
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `description=".." languagecode=".."`
    DescLang,
    /// `languagecode=".." description=".."` (workflow names)
    LangDesc,
    /// `LCID=".." Title=".."` (site maps)
    Title,
}

fn r_labels(w: &mut W, m: &Model, d: usize, wrap: &str, item: &str, l: &Labels, style: Style) {
    w.open(d, wrap);
    let (langs, n) = label_langs(m, l);
    for &li in &langs[..n] {
        let li = li as usize;
        w.start(d + 1, item);
        match style {
            Style::DescLang => {
                w.attr_text("description", &l.text, li);
                w.attr("languagecode", LCIDS[li]);
            }
            Style::LangDesc => {
                w.attr("languagecode", LCIDS[li]);
                w.attr_text("description", &l.text, li);
            }
            Style::Title => {
                w.attr("LCID", LCIDS[li]);
                w.attr_text("Title", &l.text, li);
            }
        }
        w.end();
    }
    w.close(d, wrap);
}

fn render(m: &Model) -> String {
    let est = m.entities.len() * 90_000 + (1 << 20);
    let mut w = W::new(est);
    r_head(&mut w, m);
    r_entities(&mut w, m);
    r_rest(&mut w, m);
    w.s
}

fn r_head(w: &mut W, m: &Model) {
    w.s.push_str("<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    w.attr("OrganizationVersion", &m.org_version);
    w.attr("OrganizationSchemaType", "Standard");
    w.attr("CRMServerServiceabilityVersion", &m.serviceability);
    w.gt();
}

fn r_entities(w: &mut W, m: &Model) {
    w.open(1, "Entities");
    for e in &m.entities {
        r_entity(w, m, e);
    }
    w.close(1, "Entities");
}

fn r_entity(w: &mut W, m: &Model, e: &Entity) {
    w.open(2, "Entity");
    w.start(3, "Name");
    w.attr_text("LocalizedName", &e.name.text, 0);
    if e.system {
        w.attr("OriginalName", "");
    } else {
        w.attr_text("OriginalName", &e.name.text, 0);
    }
    w.gt();
    w.s.push_str(&e.schema);
    w.s.push_str("</Name>");
    w.open(3, "EntityInfo");
    w.start(4, "entity");
    w.attr("Name", &e.schema);
    w.gt();
    r_labels(
        w,
        m,
        5,
        "LocalizedNames",
        "LocalizedName",
        &e.name,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        5,
        "LocalizedCollectionNames",
        "LocalizedCollectionName",
        &e.plural,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        5,
        "Descriptions",
        "Description",
        &e.desc,
        Style::DescLang,
    );
    if e.attrs.is_empty() {
        w.empty(5, "attributes");
    } else {
        w.open(5, "attributes");
        for a in &e.attrs {
            r_attr(w, m, a);
        }
        w.close(5, "attributes");
    }
    r_entity_props(w, e);
    w.close(4, "entity");
    w.close(3, "EntityInfo");
    if e.forms.is_empty() {
        w.empty(3, "FormXml");
    } else {
        w.open(3, "FormXml");
        for kind in 0..4u8 {
            if !e.forms.iter().any(|f| f.kind == kind) {
                continue;
            }
            w.start(4, "forms");
            w.attr("type", FORM_TYPES[kind as usize]);
            w.gt();
            for f in e.forms.iter().filter(|f| f.kind == kind) {
                r_form(w, m, f);
            }
            w.close(4, "forms");
        }
        w.close(3, "FormXml");
    }
    if e.views.is_empty() {
        w.empty(3, "SavedQueries");
    } else {
        w.open(3, "SavedQueries");
        w.open(4, "savedqueries");
        for v in &e.views {
            r_view(w, m, e, v);
        }
        w.close(4, "savedqueries");
        w.close(3, "SavedQueries");
    }
    r_ribbon(w, m, e);
    w.close(2, "Entity");
}

fn r_ribbon(w: &mut W, m: &Model, e: &Entity) {
    w.open(3, "RibbonDiffXml");
    if e.ribbon_hide {
        w.open(4, "CustomActions");
        w.start(5, "HideCustomAction");
        let mut id = String::with_capacity(64);
        id.push_str(&m.prefix);
        id.push_str(".Mscrm.Form.");
        id.push_str(&e.logical);
        id.push_str(".Deactivate.Hide");
        w.attr("HideActionId", &id);
        let mut loc = String::with_capacity(64);
        loc.push_str("Mscrm.Form.");
        loc.push_str(&e.logical);
        loc.push_str(".Deactivate");
        w.attr("Location", &loc);
        w.end();
        w.close(4, "CustomActions");
    } else {
        w.empty(4, "CustomActions");
    }
    w.open(4, "Templates");
    w.start(5, "RibbonTemplates");
    w.attr("Id", "Mscrm.Templates");
    w.s.push_str("></RibbonTemplates>");
    w.close(4, "Templates");
    w.empty(4, "CommandDefinitions");
    w.open(4, "RuleDefinitions");
    w.empty(5, "TabDisplayRules");
    w.empty(5, "DisplayRules");
    w.empty(5, "EnableRules");
    w.close(4, "RuleDefinitions");
    w.empty(4, "LocLabels");
    w.close(3, "RibbonDiffXml");
}

fn r_attr(w: &mut W, m: &Model, a: &Attr) {
    let d = 7;
    w.start(6, "attribute");
    w.attr("PhysicalName", &a.physical);
    if a.unmodified {
        w.attr("unmodified", "1");
    }
    w.gt();
    let ty = match &a.ty {
        Ty::PrimaryKey => "primarykey",
        Ty::Str { .. } => "nvarchar",
        Ty::Memo { .. } => "ntext",
        Ty::Int { .. } => "int",
        Ty::BigInt => "bigint",
        Ty::Decimal { .. } => "decimal",
        Ty::Money { .. } => "money",
        Ty::DateTime { .. } => "datetime",
        Ty::Lookup => "lookup",
        Ty::Owner => "owner",
        Ty::Bit(_) => "bit",
        Ty::Picklist { .. } => "picklist",
        Ty::State(_) => "state",
        Ty::Status(_) => "status",
    };
    w.el(d, "Type", ty);
    w.el(d, "Name", &a.logical);
    w.el(d, "LogicalName", &a.logical);
    w.el(d, "RequiredLevel", REQ[a.req as usize]);
    if a.mask != 255 {
        w.el(d, "DisplayMask", MASKS[a.mask as usize]);
    }
    if a.ime != 0 {
        w.el(d, "ImeMode", IME[a.ime as usize]);
    }
    w.flag(d, "ValidForUpdateApi", a.flags & F_UPDATE != 0);
    w.el(d, "ValidForReadApi", "1");
    w.flag(d, "ValidForCreateApi", a.flags & F_CREATE != 0);
    w.flag(d, "IsCustomField", a.custom);
    w.flag(d, "IsAuditEnabled", a.flags & F_AUDIT != 0);
    w.flag(d, "IsSecured", a.flags & F_SECURED != 0);
    w.el(d, "IntroducedVersion", INTRO[a.intro as usize]);
    if !a.unmodified {
        w.el(d, "IsCustomizable", "1");
        w.el(d, "IsRenameable", "1");
        w.el(d, "CanModifySearchSettings", "1");
        w.flag(
            d,
            "CanModifyRequirementLevelSettings",
            a.flags & F_NOREQMOD == 0,
        );
        w.el(d, "CanModifyAdditionalSettings", "1");
    }
    w.num(d, "SourceType", i64::from(a.source));
    w.el(d, "IsGlobalFilterEnabled", "0");
    w.el(d, "IsSortableEnabled", "0");
    if !a.unmodified {
        w.el(d, "CanModifyGlobalFilterSettings", "1");
        w.el(d, "CanModifyIsSortableSettings", "1");
    }
    w.el(d, "IsDataSourceSecret", "0");
    w.el(d, "AutoNumberFormat", "");
    w.flag(d, "IsSearchable", a.flags & F_SEARCH != 0);
    w.flag(d, "IsFilterable", a.flags & F_FILTER != 0);
    w.flag(d, "IsRetrievable", a.flags & F_RETRIEVE != 0);
    w.el(d, "IsLocalizable", "0");
    match &a.ty {
        Ty::Str { format, max } => {
            w.el(d, "Format", STR_FORMATS[*format as usize]);
            w.num(d, "MaxLength", *max);
            w.num(d, "Length", *max * 2);
        }
        Ty::Memo { format, max } => {
            w.el(d, "Format", MEMO_FORMATS[*format as usize]);
            w.num(d, "MaxLength", *max);
        }
        Ty::Int { format, min, max } => {
            w.el(d, "Format", if *format == 1 { "duration" } else { "" });
            w.num(d, "MinValue", *min);
            w.num(d, "MaxValue", *max);
        }
        Ty::BigInt => {
            w.num(d, "MinValue", i64::MIN);
            w.num(d, "MaxValue", i64::MAX);
        }
        Ty::Decimal { min, max, prec } => {
            w.num(d, "MinValue", *min);
            w.num(d, "MaxValue", *max);
            w.num(d, "Accuracy", i64::from(*prec));
        }
        Ty::Money { prec } => {
            w.num(d, "MinValue", -922_337_203_685_477);
            w.num(d, "MaxValue", 922_337_203_685_477);
            w.num(d, "Accuracy", i64::from(*prec));
            w.el(d, "AccuracySource", "2");
        }
        Ty::DateTime {
            date_only,
            can_change,
        } => {
            w.el(d, "Format", if *date_only { "date" } else { "datetime" });
            w.flag(d, "CanChangeDateTimeBehavior", *can_change);
            w.el(d, "Behavior", "1");
        }
        Ty::Lookup | Ty::Owner => {
            w.el(d, "LookupStyle", "single");
            w.empty(d, "LookupTypes");
        }
        Ty::Bit(set) => {
            w.el(d, "AppDefaultValue", "0");
            r_optionset(w, m, d, set);
        }
        Ty::Picklist {
            set,
            global,
            default,
        } => {
            if let Some(v) = default {
                w.num(d, "AppDefaultValue", *v);
            }
            if let Some(set) = set {
                r_optionset(w, m, d, set);
            }
            if let Some(g) = global {
                w.el(d, "OptionSetName", g);
            }
        }
        Ty::State(set) | Ty::Status(set) => r_optionset(w, m, d, set),
        Ty::PrimaryKey => {}
    }
    r_labels(
        w,
        m,
        d,
        "displaynames",
        "displayname",
        &a.display,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        d,
        "Descriptions",
        "Description",
        &a.desc,
        Style::DescLang,
    );
    w.close(6, "attribute");
}

const OS_KIND: [&str; 4] = ["picklist", "bit", "state", "status"];

fn r_optionset(w: &mut W, m: &Model, d: usize, os: &OptSet) {
    w.start(d, "optionset");
    w.attr("Name", &os.name);
    if os.global {
        w.attr_text("localizedName", &os.display.text, 0);
    }
    w.gt();
    let c = d + 1;
    w.el(c, "OptionSetType", OS_KIND[os.kind as usize]);
    if os.global {
        w.el(c, "IsGlobal", "1");
    }
    w.el(c, "IntroducedVersion", INTRO[os.intro as usize]);
    w.el(c, "IsCustomizable", "1");
    if os.kind <= 1 {
        w.el(c, "ExternalTypeName", "");
    }
    r_labels(
        w,
        m,
        c,
        "displaynames",
        "displayname",
        &os.display,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        c,
        "Descriptions",
        "Description",
        &os.desc,
        Style::DescLang,
    );
    let (wrap, item) = match os.kind {
        2 => ("states", "state"),
        3 => ("statuses", "status"),
        _ => ("options", "option"),
    };
    w.open(c, wrap);
    for o in &os.options {
        w.start(c + 1, item);
        w.attr_num("value", o.value);
        match os.kind {
            2 => {
                w.attr_num("defaultstatus", o.extra);
                w.attr(
                    "invariantname",
                    if o.value == 0 { "Active" } else { "Inactive" },
                );
            }
            3 => {
                w.attr_num("state", o.extra);
                if !o.transitions.is_empty() {
                    let mut t = String::with_capacity(200);
                    t.push_str(
                        "<allowedtransitions xmlns=\"http://schemas.microsoft.com/crm/2009/WebServices\">",
                    );
                    for &to in &o.transitions {
                        t.push_str("<allowedtransition sourcestatusid=\"");
                        push_int(&mut t, o.value);
                        t.push_str("\" tostatusid=\"");
                        push_int(&mut t, to);
                        t.push_str("\" />");
                    }
                    t.push_str("</allowedtransitions>");
                    w.attr("TransitionData", &t);
                }
                if let Some(col) = o.color {
                    w.attr("Color", col);
                }
            }
            _ => {
                w.attr("ExternalValue", "");
                if let Some(col) = o.color {
                    w.attr("Color", col);
                }
            }
        }
        w.gt();
        r_labels(w, m, c + 2, "labels", "label", &o.labels, Style::DescLang);
        if o.desc {
            r_labels(
                w,
                m,
                c + 2,
                "Descriptions",
                "Description",
                &Labels::empty(),
                Style::DescLang,
            );
        }
        w.close(c + 1, item);
    }
    w.close(c, wrap);
    w.close(d, "optionset");
}

/// (element, value source) of the entity property list after `attributes`.
enum Prop {
    SetName,
    C(&'static str),
    /// 0/1 from a bit of `Entity::flags`.
    Bit(u32),
    Color,
    Offline,
    Intro,
}

const CUSTOM_PROPS: &[(&str, Prop)] = &[
    ("EntitySetName", Prop::SetName),
    ("IsDuplicateCheckSupported", Prop::C("1")),
    ("IsBusinessProcessEnabled", Prop::Bit(1)),
    ("IsRequiredOffline", Prop::C("0")),
    ("IsInteractionCentricEnabled", Prop::C("0")),
    ("IsCollaboration", Prop::C("0")),
    ("AutoRouteToOwnerQueue", Prop::C("0")),
    ("IsConnectionsEnabled", Prop::Bit(2)),
    ("EntityColor", Prop::Color),
    ("IsDocumentManagementEnabled", Prop::Bit(3)),
    ("AutoCreateAccessTeams", Prop::C("0")),
    ("IsOneNoteIntegrationEnabled", Prop::C("0")),
    ("IsKnowledgeManagementEnabled", Prop::C("0")),
    ("IsSLAEnabled", Prop::C("0")),
    ("IsDocumentRecommendationsEnabled", Prop::C("0")),
    ("IsBPFEntity", Prop::C("0")),
    ("OwnershipTypeMask", Prop::C("UserOwned")),
    ("IsAuditEnabled", Prop::Bit(4)),
    ("IsRetrieveAuditEnabled", Prop::C("0")),
    ("IsRetrieveMultipleAuditEnabled", Prop::C("0")),
    ("IsActivity", Prop::C("0")),
    ("ActivityTypeMask", Prop::C("")),
    ("IsActivityParty", Prop::C("0")),
    ("IsReplicated", Prop::C("0")),
    ("IsReplicationUserFiltered", Prop::C("0")),
    ("IsMailMergeEnabled", Prop::C("1")),
    ("IsVisibleInMobile", Prop::C("0")),
    ("IsVisibleInMobileClient", Prop::Bit(5)),
    ("IsReadOnlyInMobileClient", Prop::C("0")),
    ("IsOfflineInMobileClient", Prop::Bit(6)),
    ("DaysSinceRecordLastModified", Prop::C("0")),
    ("MobileOfflineFilters", Prop::Offline),
    ("IsMapiGridEnabled", Prop::C("1")),
    ("IsReadingPaneEnabled", Prop::C("1")),
    ("IsQuickCreateEnabled", Prop::Bit(7)),
    ("SyncToExternalSearchIndex", Prop::Bit(8)),
    ("IntroducedVersion", Prop::Intro),
    ("IsCustomizable", Prop::C("1")),
    ("IsRenameable", Prop::C("1")),
    ("IsMappable", Prop::C("1")),
    ("CanModifyAuditSettings", Prop::C("1")),
    ("CanModifyMobileVisibility", Prop::C("1")),
    ("CanModifyMobileClientVisibility", Prop::C("1")),
    ("CanModifyMobileClientReadOnly", Prop::C("1")),
    ("CanModifyMobileClientOffline", Prop::C("1")),
    ("CanModifyConnectionSettings", Prop::C("1")),
    ("CanModifyDuplicateDetectionSettings", Prop::C("1")),
    ("CanModifyMailMergeSettings", Prop::C("1")),
    ("CanModifyQueueSettings", Prop::C("1")),
    ("CanCreateAttributes", Prop::C("1")),
    ("CanCreateForms", Prop::C("1")),
    ("CanCreateCharts", Prop::C("1")),
    ("CanCreateViews", Prop::C("1")),
    ("CanModifyAdditionalSettings", Prop::C("1")),
    ("CanEnableSyncToExternalSearchIndex", Prop::C("1")),
    ("EnforceStateTransitions", Prop::Bit(9)),
    ("CanChangeHierarchicalRelationship", Prop::C("1")),
    ("EntityHelpUrlEnabled", Prop::C("0")),
    ("ChangeTrackingEnabled", Prop::Bit(10)),
    ("CanChangeTrackingBeEnabled", Prop::C("1")),
    ("IsEnabledForExternalChannels", Prop::C("0")),
    ("IsMSTeamsIntegrationEnabled", Prop::C("0")),
    ("IsSolutionAware", Prop::C("0")),
];

const SYSTEM_PROPS: &[(&str, Prop)] = &[
    ("EntitySetName", Prop::SetName),
    ("IsDuplicateCheckSupported", Prop::C("1")),
    ("IsBusinessProcessEnabled", Prop::C("1")),
    ("IsRequiredOffline", Prop::C("0")),
    ("IsInteractionCentricEnabled", Prop::C("1")),
    ("IsCollaboration", Prop::C("0")),
    ("AutoRouteToOwnerQueue", Prop::C("0")),
    ("IsConnectionsEnabled", Prop::C("1")),
    ("EntityColor", Prop::Color),
    ("IsDocumentManagementEnabled", Prop::C("1")),
    ("AutoCreateAccessTeams", Prop::C("0")),
    ("IsOneNoteIntegrationEnabled", Prop::C("1")),
    ("IsKnowledgeManagementEnabled", Prop::C("0")),
    ("IsSLAEnabled", Prop::C("0")),
    ("IsDocumentRecommendationsEnabled", Prop::C("0")),
    ("IsBPFEntity", Prop::C("0")),
    ("OwnershipTypeMask", Prop::C("UserOwned")),
    ("EntityMask", Prop::C("ActivityPointer")),
    ("IsAuditEnabled", Prop::Bit(4)),
    ("IsRetrieveAuditEnabled", Prop::C("0")),
    ("IsRetrieveMultipleAuditEnabled", Prop::C("0")),
    ("IsActivity", Prop::C("0")),
    ("ActivityTypeMask", Prop::C("")),
    ("IsActivityParty", Prop::C("1")),
    ("IsReplicated", Prop::C("1")),
    ("IsReplicationUserFiltered", Prop::C("1")),
    ("IsMailMergeEnabled", Prop::C("1")),
    ("IsVisibleInMobile", Prop::C("1")),
    ("IsVisibleInMobileClient", Prop::C("1")),
    ("IsReadOnlyInMobileClient", Prop::C("0")),
    ("IsOfflineInMobileClient", Prop::C("1")),
    ("DaysSinceRecordLastModified", Prop::C("0")),
    ("MobileOfflineFilters", Prop::Offline),
    ("IsMapiGridEnabled", Prop::C("1")),
    ("IsReadingPaneEnabled", Prop::C("1")),
    ("IsQuickCreateEnabled", Prop::C("1")),
    ("SyncToExternalSearchIndex", Prop::C("1")),
    ("IntroducedVersion", Prop::Intro),
    ("IconVectorName", Prop::C("")),
    ("EnforceStateTransitions", Prop::C("0")),
    ("EntityHelpUrlEnabled", Prop::C("0")),
    ("EntityHelpUrl", Prop::C("")),
    ("ChangeTrackingEnabled", Prop::C("1")),
    ("IsEnabledForExternalChannels", Prop::C("1")),
    ("IsMSTeamsIntegrationEnabled", Prop::C("0")),
    ("IsSolutionAware", Prop::C("0")),
    ("HasRelatedNotes", Prop::C("True")),
    ("HasRelatedActivities", Prop::C("True")),
];

fn r_entity_props(w: &mut W, e: &Entity) {
    let props = if e.system { SYSTEM_PROPS } else { CUSTOM_PROPS };
    for (name, p) in props {
        match p {
            Prop::SetName => {
                w.nl(5);
                w.s.push_str("<EntitySetName>");
                plural_into(&mut w.s, &e.logical, 0);
                w.s.push_str("</EntitySetName>");
            }
            Prop::C(v) => w.el(5, name, v),
            Prop::Bit(b) => w.flag(5, name, e.flags >> b & 1 == 1),
            Prop::Color => {
                if e.flags >> 11 & 3 == 0 || e.system {
                    w.el(
                        5,
                        name,
                        ["#794300", "#0078d4", "#498205", "#8764b8"][(e.flags >> 13 & 3) as usize],
                    );
                }
            }
            Prop::Offline => {
                if e.flags >> 6 & 1 == 1 || e.system {
                    let mut f = String::with_capacity(300);
                    f.push_str("<fetch version=\"1.0\" output-format=\"xml-platform\" mapping=\"logical\" distinct=\"false\"><entity name=\"");
                    f.push_str(&e.logical);
                    f.push_str("\"><filter type=\"and\"><condition attribute=\"modifiedon\" operator=\"last-x-days\" value=\"");
                    push_int(&mut f, 10 + (e.flags >> 15 & 31) as i64);
                    f.push_str("\"/></filter></entity></fetch>");
                    w.el(5, name, &f);
                } else {
                    w.el(5, name, "");
                }
            }
            Prop::Intro => w.el(5, name, INTRO[e.intro as usize]),
        }
    }
}

fn r_form(w: &mut W, m: &Model, f: &Form) {
    w.open(5, "systemform");
    w.guid_el(6, "formid", f.id);
    w.el(6, "IntroducedVersion", INTRO[f.intro as usize]);
    w.el(6, "FormPresentation", "1");
    w.el(6, "FormActivationState", "1");
    w.start(6, "form");
    if f.kind == 0 {
        w.attr("headerdensity", "HighWithControls");
    }
    w.gt();
    w.open(7, "tabs");
    for t in &f.tabs {
        r_tab(w, m, 8, t);
    }
    w.close(7, "tabs");
    if !f.header.is_empty() {
        w.start(7, "header");
        w.attr_guid("id", f.header_id, true);
        w.attr("celllabelposition", "Top");
        w.attr("columns", "111");
        w.attr("labelwidth", "115");
        w.attr("celllabelalignment", "Left");
        w.gt();
        w.open(8, "rows");
        w.open(9, "row");
        for c in &f.header {
            r_cell(w, m, 10, c);
        }
        w.close(9, "row");
        w.close(8, "rows");
        w.close(7, "header");
    }
    if !f.libs.is_empty() {
        w.open(7, "formLibraries");
        for (name, id) in &f.libs {
            w.start(8, "Library");
            w.attr("name", name);
            w.attr_guid("libraryUniqueId", *id, true);
            w.end();
        }
        w.close(7, "formLibraries");
    }
    if !f.events.is_empty() {
        w.open(7, "events");
        for ev in &f.events {
            w.start(8, "event");
            w.attr("name", ev.name);
            w.attr("application", "false");
            w.attr("active", "false");
            if let Some(a) = &ev.attr {
                w.attr("attribute", a);
            }
            w.gt();
            w.open(9, "Handlers");
            for h in &ev.handlers {
                w.start(10, "Handler");
                w.attr("functionName", &h.func);
                w.attr("libraryName", &h.lib);
                w.attr_guid("handlerUniqueId", h.id, true);
                w.attr("enabled", "true");
                w.attr("parameters", &h.params);
                w.attr("passExecutionContext", "true");
                w.end();
            }
            w.close(9, "Handlers");
            w.close(8, "event");
        }
        w.close(7, "events");
    }
    if f.kind == 0 {
        w.start(7, "DisplayConditions");
        w.attr("Order", "0");
        w.attr("FallbackForm", "true");
        w.gt();
        w.empty(8, "Everyone");
        w.close(7, "DisplayConditions");
    }
    w.close(6, "form");
    w.el(6, "IsCustomizable", "1");
    w.el(6, "CanBeDeleted", "1");
    r_labels(
        w,
        m,
        6,
        "LocalizedNames",
        "LocalizedName",
        &f.name,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        6,
        "Descriptions",
        "Description",
        &f.desc,
        Style::DescLang,
    );
    w.close(5, "systemform");
}

fn r_tab(w: &mut W, m: &Model, d: usize, t: &Tab) {
    w.start(d, "tab");
    w.attr("name", &t.name);
    w.attr("verticallayout", "true");
    w.attr_guid("id", t.id, true);
    w.attr("IsUserDefined", "0");
    w.attr("showlabel", "true");
    w.attr("expanded", "true");
    w.gt();
    r_labels(w, m, d + 1, "labels", "label", &t.labels, Style::DescLang);
    w.open(d + 1, "columns");
    for c in &t.columns {
        w.start(d + 2, "column");
        let mut pct = String::with_capacity(4);
        push_int(&mut pct, i64::from(c.width));
        pct.push('%');
        w.attr("width", &pct);
        w.gt();
        w.open(d + 3, "sections");
        for s in &c.sections {
            r_section(w, m, d + 4, s);
        }
        w.close(d + 3, "sections");
        w.close(d + 2, "column");
    }
    w.close(d + 1, "columns");
    w.close(d, "tab");
}

fn r_section(w: &mut W, m: &Model, d: usize, s: &Section) {
    w.start(d, "section");
    w.attr("name", &s.name);
    w.attr("showlabel", if s.show_label { "true" } else { "false" });
    w.attr("showbar", "false");
    w.attr("IsUserDefined", "0");
    w.attr_guid("id", s.id, true);
    w.attr("columns", "1");
    w.attr("labelwidth", "115");
    w.attr("celllabelalignment", "Left");
    w.attr("celllabelposition", "Left");
    w.attr("layout", "varwidth");
    w.gt();
    r_labels(w, m, d + 1, "labels", "label", &s.labels, Style::DescLang);
    w.open(d + 1, "rows");
    for c in &s.cells {
        r_row(w, m, d + 2, c);
    }
    w.close(d + 1, "rows");
    w.close(d, "section");
}

fn r_row(w: &mut W, m: &Model, d: usize, c: &Cell) {
    w.open(d, "row");
    r_cell(w, m, d + 1, c);
    w.close(d, "row");
}

fn r_cell(w: &mut W, m: &Model, d: usize, c: &Cell) {
    w.start(d, "cell");
    w.attr_guid("id", c.id, true);
    match &c.ctl {
        Ctl::Subgrid { .. } => {
            w.attr("rowspan", "4");
            w.attr("colspan", "1");
            w.attr("auto", "false");
            w.attr("showlabel", "false");
        }
        Ctl::QuickView { .. } => {
            w.attr("colspan", "1");
            w.attr("showlabel", "false");
        }
        Ctl::Field { .. } => {
            w.attr("showlabel", "true");
            w.attr("locklevel", "0");
        }
    }
    w.gt();
    r_labels(w, m, d + 1, "labels", "label", &c.labels, Style::DescLang);
    let p = d + 2;
    match &c.ctl {
        Ctl::Field { id, attr, class } => {
            w.start(d + 1, "control");
            w.attr("id", id);
            w.attr("classid", class);
            w.attr("datafieldname", attr);
            w.attr("disabled", "false");
            w.end();
        }
        Ctl::Subgrid {
            id,
            target,
            view,
            rel,
        } => {
            w.start(d + 1, "control");
            w.attr("indicationOfSubgrid", "true");
            w.attr("id", id);
            w.attr("classid", CLS_SUBGRID);
            w.gt();
            w.open(p, "parameters");
            w.el(p + 1, "RecordsPerPage", "10");
            w.el(p + 1, "AutoExpand", "Fixed");
            w.el(p + 1, "EnableQuickFind", "false");
            w.el(p + 1, "EnableViewPicker", "false");
            w.el(p + 1, "EnableChartPicker", "true");
            w.el(p + 1, "ChartGridMode", "All");
            w.el(p + 1, "TargetEntityType", target);
            w.nl(p + 1);
            w.s.push_str("<ViewId>");
            push_guid(&mut w.s, *view, true, true);
            w.s.push_str("</ViewId>");
            w.nl(p + 1);
            w.s.push_str("<ViewIds>");
            push_guid(&mut w.s, *view, true, true);
            w.s.push_str("</ViewIds>");
            w.el(p + 1, "RelationshipName", rel);
            w.close(p, "parameters");
            w.close(d + 1, "control");
        }
        Ctl::QuickView {
            id,
            attr,
            target,
            form,
        } => {
            w.start(d + 1, "control");
            w.attr("id", id);
            w.attr("classid", CLS_QUICKVIEW);
            w.gt();
            w.open(p, "parameters");
            let mut q = String::with_capacity(160);
            q.push_str("<QuickFormIds><QuickFormId entityname=\"");
            q.push_str(target);
            q.push_str("\">");
            push_guid(&mut q, *form, false, false);
            q.push_str("</QuickFormId></QuickFormIds>");
            w.el(p + 1, "QuickForms", &q);
            w.el(p + 1, "ControlMode", "Edit");
            w.el(p + 1, "DataFieldName", attr);
            w.close(p, "parameters");
            w.close(d + 1, "control");
        }
    }
    w.close(d, "cell");
}

fn r_view(w: &mut W, m: &Model, e: &Entity, v: &View) {
    let d = 6;
    w.open(5, "savedquery");
    w.el(d, "IsCustomizable", "1");
    w.flag(d, "CanBeDeleted", v.can_delete);
    w.flag(d, "isquickfindquery", v.quick_find);
    w.el(d, "isprivate", "0");
    w.flag(d, "isdefault", v.is_default);
    w.guid_el(d, "savedqueryid", v.id);
    w.open(d, "layoutxml");
    w.start(d + 1, "grid");
    if v.entity_grid {
        let mut p = String::with_capacity(e.logical.len() + 2);
        plural_into(&mut p, &e.logical, 0);
        w.attr("name", &p);
    } else {
        w.attr("name", "resultset");
    }
    w.attr("jump", &e.primary_name);
    w.attr("select", "1");
    w.attr("icon", "1");
    w.attr("preview", if v.qtype == 64 { "0" } else { "1" });
    w.gt();
    w.start(d + 2, "row");
    w.attr("name", if v.entity_grid { &e.logical } else { "result" });
    w.attr("id", &e.primary_id);
    w.gt();
    for (c, width) in &v.cols {
        w.start(d + 3, "cell");
        w.attr("name", c);
        w.attr_num("width", *width);
        w.end();
    }
    w.close(d + 2, "row");
    w.close(d + 1, "grid");
    w.close(d, "layoutxml");
    w.num(d, "querytype", v.qtype);
    w.open(d, "fetchxml");
    w.start(d + 1, "fetch");
    w.attr("version", "1.0");
    w.attr("mapping", "logical");
    w.gt();
    w.start(d + 2, "entity");
    w.attr("name", &e.logical);
    w.gt();
    let f = d + 3;
    w.start(f, "attribute");
    w.attr("name", &e.primary_id);
    w.end();
    for (c, _) in &v.cols {
        w.start(f, "attribute");
        w.attr("name", c);
        w.end();
    }
    if let Some(o) = &v.order {
        w.start(f, "order");
        w.attr("attribute", o);
        w.attr("descending", "false");
        w.end();
    }
    if let Some(s) = v.state {
        w.start(f, "filter");
        w.attr("type", "and");
        w.gt();
        w.start(f + 1, "condition");
        w.attr("attribute", "statecode");
        w.attr("operator", "eq");
        w.attr_num("value", s);
        w.end();
        w.close(f, "filter");
    }
    if !v.find_fields.is_empty() {
        w.start(f, "filter");
        w.attr("type", "or");
        w.attr("isquickfindfields", "1");
        w.gt();
        for ff in &v.find_fields {
            w.start(f + 1, "condition");
            w.attr("attribute", ff);
            w.attr("operator", "like");
            w.attr("value", "{0}");
            w.end();
        }
        w.close(f, "filter");
    }
    w.close(d + 2, "entity");
    w.close(d + 1, "fetch");
    w.close(d, "fetchxml");
    w.el(d, "IntroducedVersion", INTRO[v.intro as usize]);
    r_labels(
        w,
        m,
        d,
        "LocalizedNames",
        "LocalizedName",
        &v.name,
        Style::DescLang,
    );
    if let Some(desc) = &v.desc {
        r_labels(
            w,
            m,
            d,
            "Descriptions",
            "Description",
            desc,
            Style::DescLang,
        );
    }
    w.close(5, "savedquery");
}

fn r_rest(w: &mut W, m: &Model) {
    // Roles
    w.open(1, "Roles");
    for r in &m.roles {
        r_role(w, m, r);
    }
    w.close(1, "Roles");
    // Workflows
    w.open(1, "Workflows");
    for wf in &m.workflows {
        r_workflow(w, m, wf);
    }
    w.close(1, "Workflows");
    // FieldSecurityProfiles
    if m.fsps.is_empty() {
        w.nl(1);
        w.s.push_str("<FieldSecurityProfiles></FieldSecurityProfiles>");
    } else {
        w.open(1, "FieldSecurityProfiles");
        for p in &m.fsps {
            w.start(2, "FieldSecurityProfile");
            w.attr("name", &p.name);
            w.attr_guid("fieldsecurityprofileid", p.id, true);
            w.gt();
            w.open(3, "FieldPermissions");
            for (ent, attr, read_only) in &p.perms {
                w.open(4, "FieldPermission");
                w.el(5, "EntityName", ent);
                w.el(5, "AttributeName", attr);
                w.el(5, "CanRead", "4");
                w.el(5, "CanUpdate", if *read_only == 1 { "0" } else { "4" });
                w.el(5, "CanCreate", "0");
                w.close(4, "FieldPermission");
            }
            w.close(3, "FieldPermissions");
            w.close(2, "FieldSecurityProfile");
        }
        w.close(1, "FieldSecurityProfiles");
    }
    w.empty(1, "Templates");
    // EntityMaps
    if m.maps.is_empty() {
        w.empty(1, "EntityMaps");
    } else {
        w.open(1, "EntityMaps");
        for em in &m.maps {
            r_map(w, em);
        }
        w.close(1, "EntityMaps");
    }
    // EntityRelationships
    w.open(1, "EntityRelationships");
    for r in &m.rels {
        r_rel(w, m, r);
    }
    w.close(1, "EntityRelationships");
    w.empty(1, "OrganizationSettings");
    w.open(1, "optionsets");
    for os in &m.optionsets {
        r_optionset(w, m, 2, os);
    }
    w.close(1, "optionsets");
    if !m.dashboards.is_empty() {
        w.open(1, "Dashboards");
        for db in &m.dashboards {
            r_dashboard(w, m, db);
        }
        w.close(1, "Dashboards");
    }
    w.open(1, "WebResources");
    for wr in &m.webs {
        r_web(w, wr);
    }
    w.close(1, "WebResources");
    w.empty(1, "CustomControls");
    if !m.assemblies.is_empty() {
        w.open(1, "SolutionPluginAssemblies");
        for a in &m.assemblies {
            r_assembly(w, a);
        }
        w.close(1, "SolutionPluginAssemblies");
        w.open(1, "SdkMessageProcessingSteps");
        for s in &m.steps {
            r_step(w, m, s);
        }
        w.close(1, "SdkMessageProcessingSteps");
    }
    w.open(1, "AppModuleSiteMaps");
    for a in &m.apps {
        r_sitemap(w, m, a);
    }
    w.close(1, "AppModuleSiteMaps");
    w.open(1, "AppModules");
    for a in &m.apps {
        r_app(w, m, a);
    }
    w.close(1, "AppModules");
    w.empty(1, "EntityDataProviders");
    w.open(1, "Languages");
    for &li in &m.langs {
        w.el(2, "Language", LCIDS[li as usize]);
    }
    w.close(1, "Languages");
    w.nl(0);
    w.s.push_str("</ImportExportXml>");
}

fn r_role(w: &mut W, m: &Model, r: &Role) {
    w.start(2, "Role");
    w.attr_guid("id", r.id, true);
    w.attr("name", &r.name);
    w.gt();
    w.el(3, "IsCustomizable", "1");
    w.el(3, "IsAutoAssigned", "0");
    w.open(3, "RolePrivileges");
    for &(p, level) in &r.privs {
        w.nl(4);
        w.s.push_str("<RolePrivilege name=\"");
        w.s.push_str(&m.priv_names[p as usize]);
        w.s.push_str("\" level=\"");
        w.s.push_str(LEVELS[level as usize]);
        w.s.push_str("\" />");
    }
    w.close(3, "RolePrivileges");
    w.close(2, "Role");
}

fn r_workflow(w: &mut W, m: &Model, wf: &Workflow) {
    w.start(2, "Workflow");
    w.attr_guid("WorkflowId", wf.id, true);
    w.attr("Name", &wf.name);
    if let Some(d) = &wf.desc {
        w.attr("Description", d);
    }
    w.gt();
    let mut file = String::with_capacity(120);
    file.push_str("/Workflows/");
    let san = sanitize(&wf.name);
    file.push_str(&san[..san.len().min(50)]);
    file.push('-');
    push_guid(&mut file, wf.id, true, false);
    if wf.kind == 3 {
        file.push_str(".json");
        w.el(3, "JsonFileName", &file);
    } else {
        file.push_str(".xaml");
        w.el(3, "XamlFileName", &file);
    }
    let (category, mode, scope) = match wf.kind {
        0 => (0, 0, 4),
        1 => (0, 1, 4),
        2 => (2, 1, 4),
        _ => (5, 0, 4),
    };
    w.el(3, "Type", "1");
    w.el(3, "Subprocess", "0");
    w.num(3, "Category", category);
    w.num(3, "Mode", mode);
    w.num(3, "Scope", scope);
    w.el(3, "OnDemand", "0");
    w.flag(3, "TriggerOnCreate", wf.on_create);
    w.el(3, "TriggerOnDelete", "0");
    if !wf.update_attrs.is_empty() {
        w.el(3, "TriggerOnUpdateAttributeList", &wf.update_attrs);
    }
    w.el(3, "AsyncAutodelete", "0");
    w.el(3, "SyncWorkflowLogOnFailure", "0");
    w.el(3, "StateCode", "1");
    w.el(3, "StatusCode", "2");
    w.el(3, "RunAs", "1");
    w.el(3, "IsTransacted", "1");
    w.el(3, "IntroducedVersion", INTRO[wf.intro as usize]);
    w.el(3, "IsCustomizable", "1");
    w.el(3, "BusinessProcessType", "0");
    w.el(3, "IsCustomProcessingStepAllowedForOtherPublishers", "1");
    if wf.kind == 2 {
        w.el(3, "ProcessTriggerScope", "1");
    }
    if wf.kind != 3 {
        w.el(3, "ModernFlowType", "0");
    }
    w.el(3, "PrimaryEntity", &wf.entity);
    let name = Labels::lit(&wf.name);
    r_labels(
        w,
        m,
        3,
        "LocalizedNames",
        "LocalizedName",
        &name,
        Style::LangDesc,
    );
    if let Some(d) = &wf.desc {
        r_labels(
            w,
            m,
            3,
            "Descriptions",
            "Description",
            &Labels::lit(d),
            Style::LangDesc,
        );
    }
    w.close(2, "Workflow");
}

fn r_map(w: &mut W, em: &EntityMap) {
    w.open(2, "EntityMap");
    w.el(3, "EntitySource", &em.source);
    w.el(3, "EntityTarget", &em.target);
    w.open(3, "AttributeMaps");
    for (s, t) in &em.pairs {
        w.open(4, "AttributeMap");
        w.el(5, "AttributeSource", s);
        w.el(5, "AttributeTarget", t);
        w.close(4, "AttributeMap");
    }
    w.close(3, "AttributeMaps");
    w.close(2, "EntityMap");
}

fn r_rel(w: &mut W, m: &Model, r: &Relationship) {
    w.start(2, "EntityRelationship");
    w.attr("Name", &r.name);
    w.gt();
    w.el(3, "EntityRelationshipType", "OneToMany");
    w.el(3, "IntroducedVersion", INTRO[r.intro as usize]);
    w.el(3, "IsHierarchical", "0");
    w.el(3, "ReferencingEntityName", &r.referencing);
    w.el(3, "ReferencedEntityName", &r.referenced);
    w.el(3, "CascadeAssign", CASCADE[r.cascade_assign as usize]);
    w.el(
        3,
        "CascadeDelete",
        CASCADE_DELETE[r.cascade_delete as usize],
    );
    w.el(3, "CascadeArchive", "NoCascade");
    w.el(3, "CascadeReparent", CASCADE[r.cascade_assign as usize]);
    w.el(3, "CascadeShare", CASCADE[r.cascade_assign as usize]);
    w.el(3, "CascadeUnshare", CASCADE[r.cascade_assign as usize]);
    w.el(3, "CascadeRollupView", "NoCascade");
    w.el(3, "IsValidForAdvancedFind", "1");
    w.el(3, "ReferencingAttributeName", &r.attr);
    w.open(3, "RelationshipDescription");
    r_labels(
        w,
        m,
        4,
        "Descriptions",
        "Description",
        &r.desc,
        Style::DescLang,
    );
    w.close(3, "RelationshipDescription");
    w.open(3, "EntityRelationshipRoles");
    w.open(4, "EntityRelationshipRole");
    w.el(5, "NavPaneDisplayOption", "UseCollectionName");
    w.el(5, "NavPaneArea", "Details");
    w.num(5, "NavPaneOrder", r.order);
    w.el(5, "NavigationPropertyName", &r.nav);
    r_labels(
        w,
        m,
        5,
        "CustomLabels",
        "CustomLabel",
        &Labels::empty(),
        Style::DescLang,
    );
    w.el(5, "RelationshipRoleType", "1");
    w.close(4, "EntityRelationshipRole");
    w.open(4, "EntityRelationshipRole");
    w.el(5, "RelationshipRoleType", "0");
    w.close(4, "EntityRelationshipRole");
    w.close(3, "EntityRelationshipRoles");
    w.close(2, "EntityRelationship");
}

fn r_dashboard(w: &mut W, m: &Model, db: &Dashboard) {
    w.open(2, "Dashboard");
    r_labels(
        w,
        m,
        3,
        "LocalizedNames",
        "LocalizedName",
        &db.name,
        Style::DescLang,
    );
    w.guid_el(3, "FormId", db.id);
    w.el(3, "IsCustomizable", "1");
    w.el(3, "IsDefault", "0");
    w.open(3, "FormXml");
    w.start(4, "forms");
    w.attr("type", "dashboard");
    w.gt();
    w.open(5, "form");
    w.open(6, "tabs");
    w.start(7, "tab");
    w.attr("showlabel", "false");
    w.attr("verticallayout", "true");
    w.attr_guid("id", db.tab_id, true);
    w.gt();
    r_labels(
        w,
        m,
        8,
        "labels",
        "label",
        &Labels::new(Text::Words(Phrase::of(&[W_MISC + M_OVERVIEW])), true),
        Style::DescLang,
    );
    w.open(8, "columns");
    w.start(9, "column");
    w.attr("width", "100%");
    w.gt();
    w.open(10, "sections");
    w.start(11, "section");
    w.attr("showlabel", "false");
    w.attr("showbar", "false");
    w.attr("columns", "11");
    w.attr_guid("id", db.section_id, true);
    w.gt();
    r_labels(
        w,
        m,
        12,
        "labels",
        "label",
        &Labels::empty(),
        Style::DescLang,
    );
    w.open(12, "rows");
    for (i, (ent, view, cell, uid, label)) in db.grids.iter().enumerate() {
        w.open(13, "row");
        w.start(14, "cell");
        w.attr("colspan", "1");
        w.attr("rowspan", "10");
        w.attr("showlabel", "false");
        w.attr_guid("id", *cell, true);
        w.attr("auto", "false");
        w.gt();
        r_labels(w, m, 15, "labels", "label", label, Style::DescLang);
        w.start(15, "control");
        let mut cid = String::from("Component");
        push_int(&mut cid, i as i64);
        cid.push_str(&ent[..ent.len().min(6)]);
        w.attr("id", &cid);
        w.attr_guid("uniqueid", *uid, true);
        w.attr("classid", CLS_SUBGRID);
        w.attr("indicationOfSubgrid", "true");
        w.gt();
        w.open(16, "parameters");
        w.el(17, "TargetEntityType", ent);
        w.el(17, "ChartGridMode", "Grid");
        w.el(17, "EnableQuickFind", "false");
        w.el(17, "EnableViewPicker", "false");
        w.el(17, "EnableJumpBar", "false");
        w.el(17, "RecordsPerPage", "10");
        w.guid_el(17, "ViewId", *view);
        w.el(17, "IsUserView", "false");
        w.guid_el(17, "ViewIds", *view);
        w.el(17, "AutoExpand", "Fixed");
        w.el(17, "EnableChartPicker", "false");
        w.empty(17, "RelationshipName");
        w.close(16, "parameters");
        w.close(15, "control");
        w.close(14, "cell");
        w.close(13, "row");
    }
    w.close(12, "rows");
    w.close(11, "section");
    w.close(10, "sections");
    w.close(9, "column");
    w.close(8, "columns");
    w.close(7, "tab");
    w.close(6, "tabs");
    w.close(5, "form");
    w.close(4, "forms");
    w.close(3, "FormXml");
    w.close(2, "Dashboard");
}

fn r_web(w: &mut W, wr: &WebRes) {
    w.open(2, "WebResource");
    w.guid_el(3, "WebResourceId", wr.id);
    w.el(3, "Name", &wr.name);
    w.el(3, "DisplayName", &wr.display);
    if matches!(wr.kind, 1 | 3) {
        w.el(3, "LanguageCode", "0");
    }
    w.num(3, "WebResourceType", i64::from(wr.kind));
    w.el(3, "IntroducedVersion", INTRO[wr.intro as usize]);
    w.el(3, "IsEnabledForMobileClient", "0");
    w.el(3, "IsAvailableForMobileOffline", "0");
    if !wr.deps.is_empty() {
        let mut x = String::with_capacity(200);
        x.push_str("<Dependencies><Dependency componentType=\"WebResource\">");
        for (name, id) in &wr.deps {
            x.push_str("<Library name=\"");
            x.push_str(name);
            x.push_str("\" displayName=\"");
            x.push_str(name);
            x.push_str("\" languagecode=\"\" description=\"\" libraryUniqueId=\"");
            push_guid(&mut x, *id, false, true);
            x.push_str("\"/>");
        }
        x.push_str("</Dependency></Dependencies>");
        w.el(3, "DependencyXml", &x);
    }
    w.el(3, "IsCustomizable", "1");
    w.el(3, "CanBeDeleted", "1");
    w.el(3, "IsHidden", "0");
    let mut file = String::with_capacity(100);
    file.push_str("/WebResources/");
    file.push_str(&sanitize(&wr.name));
    push_guid(&mut file, wr.id, true, false);
    w.el(3, "FileName", &file);
    w.close(2, "WebResource");
}

fn asm_suffix(a: &Assembly) -> String {
    let mut s = String::with_capacity(80);
    s.push_str(&a.name);
    s.push_str(", Version=1.0.0.0, Culture=neutral, PublicKeyToken=");
    let h = mix64(a.id as u64);
    for i in 0..8 {
        s.push(HEX_LOWER[((h >> (60 - 4 * i)) & 0xF) as usize] as char);
    }
    for i in 0..8 {
        s.push(HEX_LOWER[((h >> (28 - 4 * i)) & 0xF) as usize] as char);
    }
    s
}

fn r_assembly(w: &mut W, a: &Assembly) {
    let full = asm_suffix(a);
    w.start(2, "PluginAssembly");
    w.attr("FullName", &full);
    w.attr_guid("PluginAssemblyId", a.id, false);
    w.attr("CustomizationLevel", "1");
    w.gt();
    w.el(3, "IsolationMode", "2");
    w.el(3, "SourceType", "0");
    w.el(3, "IntroducedVersion", "1.0.0.0");
    let mut file = String::with_capacity(100);
    file.push_str("/PluginAssemblies/");
    file.push_str(&a.name);
    file.push('-');
    push_guid(&mut file, a.id, true, false);
    file.push('/');
    file.push_str(&a.name);
    file.push_str(".dll");
    w.el(3, "FileName", &file);
    w.open(3, "PluginTypes");
    for (name, id, friendly) in &a.types {
        w.start(4, "PluginType");
        let mut aq = String::with_capacity(name.len() + full.len() + 2);
        aq.push_str(name);
        aq.push_str(", ");
        aq.push_str(&full);
        w.attr("AssemblyQualifiedName", &aq);
        w.attr_guid("PluginTypeId", *id, false);
        w.attr("Name", name);
        w.gt();
        w.nl(5);
        w.s.push_str("<FriendlyName>");
        push_guid(&mut w.s, *friendly, false, false);
        w.s.push_str("</FriendlyName>");
        w.close(4, "PluginType");
    }
    w.close(3, "PluginTypes");
    w.close(2, "PluginAssembly");
}

fn r_step(w: &mut W, m: &Model, s: &Step) {
    let a = &m.assemblies[0];
    let (tname, tid, _) = &a.types[s.type_idx];
    let mut name = String::with_capacity(80);
    name.push_str(tname);
    name.push_str(": ");
    name.push_str(s.message);
    name.push_str(" of ");
    name.push_str(&s.entity);
    w.start(2, "SdkMessageProcessingStep");
    w.attr("Name", &name);
    w.attr_guid("SdkMessageProcessingStepId", s.id, true);
    w.gt();
    w.nl(3);
    w.s.push_str("<SdkMessageId>");
    push_guid(&mut w.s, s.message_id, false, false);
    w.s.push_str("</SdkMessageId>");
    let mut tn = String::with_capacity(120);
    tn.push_str(tname);
    tn.push_str(", ");
    tn.push_str(&asm_suffix(a));
    w.el(3, "PluginTypeName", &tn);
    w.nl(3);
    w.s.push_str("<PluginTypeId>");
    push_guid(&mut w.s, *tid, false, false);
    w.s.push_str("</PluginTypeId>");
    w.el(3, "PrimaryEntity", &s.entity);
    w.el(3, "AsyncAutoDelete", "0");
    w.el(3, "FilteringAttributes", &s.filtering);
    w.el(3, "InvocationSource", "1");
    w.num(3, "Mode", s.mode);
    w.num(3, "Rank", s.rank);
    w.el(3, "EventHandlerTypeCode", "4602");
    w.num(3, "Stage", s.stage);
    w.el(3, "IsCustomizable", "1");
    w.el(3, "IsHidden", "0");
    w.el(3, "SupportedDeployment", "0");
    w.el(3, "IntroducedVersion", "1.0.0.0");
    w.empty(3, "SdkMessageProcessingStepImages");
    w.close(2, "SdkMessageProcessingStep");
}

fn r_sitemap(w: &mut W, m: &Model, a: &App) {
    w.open(2, "AppModuleSiteMap");
    w.el(3, "SiteMapUniqueName", &a.unique);
    w.el(3, "EnableCollapsibleGroups", "False");
    w.el(3, "ShowHome", "True");
    w.el(3, "ShowPinned", "True");
    w.el(3, "ShowRecents", "True");
    w.start(3, "SiteMap");
    w.attr("IntroducedVersion", "7.0.0.0");
    w.gt();
    for area in &a.areas {
        w.start(4, "Area");
        w.attr("Id", &area.id);
        w.attr("ResourceId", "SitemapDesigner.NewTitle");
        w.attr("DescriptionResourceId", "SitemapDesigner.NewTitle");
        w.attr("ShowGroups", "true");
        w.attr("IntroducedVersion", "7.0.0.0");
        w.gt();
        r_labels(w, m, 5, "Titles", "Title", &area.title, Style::Title);
        for g in &area.groups {
            w.start(5, "Group");
            w.attr("Id", &g.id);
            w.attr("ResourceId", "SitemapDesigner.NewGroup");
            w.attr("DescriptionResourceId", "SitemapDesigner.NewGroup");
            w.attr("IntroducedVersion", "7.0.0.0");
            w.attr("IsProfile", "false");
            w.attr("ToolTipResourseId", "SitemapDesigner.Unknown");
            w.gt();
            r_labels(w, m, 6, "Titles", "Title", &g.title, Style::Title);
            for (id, ent) in &g.subs {
                w.start(6, "SubArea");
                w.attr("Id", id);
                w.attr("Icon", "/_imgs/imagestrips/transparent_spacer.gif");
                w.attr("Entity", ent);
                w.attr(
                    "Client",
                    "All,Outlook,OutlookLaptopClient,OutlookWorkstationClient,Web",
                );
                w.attr("AvailableOffline", "true");
                w.attr("PassParams", "false");
                w.attr("Sku", "All,OnPremise,Live,SPLA");
                w.end();
            }
            w.close(5, "Group");
        }
        w.close(4, "Area");
    }
    w.close(3, "SiteMap");
    r_labels(
        w,
        m,
        3,
        "LocalizedNames",
        "LocalizedName",
        &a.name,
        Style::DescLang,
    );
    w.close(2, "AppModuleSiteMap");
}

fn r_app(w: &mut W, m: &Model, a: &App) {
    w.open(2, "AppModule");
    w.el(3, "UniqueName", &a.unique);
    w.el(3, "IntroducedVersion", INTRO[a.intro as usize]);
    w.nl(3);
    w.s.push_str("<WebResourceId>");
    push_guid(&mut w.s, a.icon, false, false);
    w.s.push_str("</WebResourceId>");
    w.el(3, "OptimizedFor", "");
    w.el(3, "statecode", "0");
    w.el(3, "statuscode", "1");
    w.el(3, "FormFactor", "1");
    w.el(3, "ClientType", "4");
    w.el(3, "NavigationType", "0");
    w.open(3, "AppModuleComponents");
    for (ty, schema, id) in &a.components {
        w.start(4, "AppModuleComponent");
        w.attr_num("type", *ty);
        if schema.is_empty() {
            w.attr_guid("id", *id, true);
        } else {
            w.attr("schemaName", schema);
        }
        w.end();
    }
    w.close(3, "AppModuleComponents");
    w.open(3, "AppModuleRoleMaps");
    for r in &a.roles {
        w.start(4, "Role");
        w.attr_guid("id", *r, true);
        w.end();
    }
    w.close(3, "AppModuleRoleMaps");
    r_labels(
        w,
        m,
        3,
        "LocalizedNames",
        "LocalizedName",
        &a.name,
        Style::DescLang,
    );
    r_labels(
        w,
        m,
        3,
        "Descriptions",
        "Description",
        &a.desc,
        Style::DescLang,
    );
    w.close(2, "AppModule");
}

// ---------------------------------------------------------------------------------------------
// Model generation
// ---------------------------------------------------------------------------------------------

const PREFIXES: [&str; 5] = ["new", "contoso", "fab", "adv", "cr4f2"];
/// Role flavors: (name words, ops mask over PRIV_OPS).
const ROLE_KINDS: [(&str, u8); 6] = [
    ("Administrator", 0xFF),
    ("Manager", 0xFF),
    ("User", 0b1110_1111),
    ("Read Only", 0b0010_0010),
    ("Auditor", 0b0010_0011),
    ("Agent", 0b1010_1011),
];

/// A system column of custom tables: (name, type, SYS label, SYS description, RequiredLevel,
/// DisplayMask, ImeMode, flags).
type SysSpec = (&'static str, Ty, u16, u16, u8, u8, u8, u8);

struct Gen {
    rng: Rng,
    m: Model,
    scratch: W,
    /// Estimated size of the document so far.
    est: usize,
    /// Exact rendered size of all `<Entity>` elements.
    ent_bytes: usize,
    names: HashSet<String>,
    os_names: HashSet<String>,
    n_roles: usize,
    n_custom: usize,
    tail: u64,
    common_lib: Option<(String, u128)>,
}

fn build(cfg: &SynthConfig) -> Model {
    let mut g = Gen::new(cfg);
    let target = cfg.target_bytes;
    g.add_system_entity(0);
    if target > 3 << 20 {
        g.add_system_entity(1);
    }
    // Bytes per "unit" (a column; a table's fixed part counts as 15 units), measured as we go,
    // so the last tables can be sized to the remaining gap.
    let (mut sum_bytes, mut sum_units) = (0usize, 0usize);
    loop {
        let gap = target.saturating_sub(g.est);
        let per_unit = sum_bytes.checked_div(sum_units).unwrap_or(3_000).max(1);
        let cap = if g.n_custom < 2 {
            None
        } else if gap < 22 * per_unit {
            break;
        } else if gap < 60 * per_unit {
            Some((gap * 8 / 10 / per_unit).saturating_sub(15).max(2))
        } else {
            None
        };
        let before = g.est;
        let columns = g.add_custom_entity(cap);
        sum_bytes += g.est - before;
        sum_units += columns + 15;
    }
    g.finalize();
    g.fill(target);
    g.m
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl Gen {
    fn new(cfg: &SynthConfig) -> Gen {
        let mut rng = Rng::new(cfg.seed);
        let mut langs = vec![0u8];
        let extra = rng.range(1, 3);
        let mut pool = vec![1u8, 2, 3, 4];
        for _ in 0..extra {
            let i = rng.below(pool.len());
            langs.push(pool.remove(i));
        }
        let prefix = PREFIXES[rng.below(PREFIXES.len())].to_string();
        let build_no = 22_000 + rng.below(4_000) as i64;
        let rev = 100 + rng.below(150) as i64;
        let mut org_version = String::from("9.2.");
        push_int(&mut org_version, build_no);
        org_version.push('.');
        push_int(&mut org_version, rev);
        let mut serviceability = String::from("9.2.");
        push_int(&mut serviceability, build_no);
        serviceability.push_str(".00");
        push_int(&mut serviceability, rev);
        let opt_prefix = 10_000 + rng.below(90_000) as i64;
        let tail = ((rng.next() & 0xFFFF) << 48) | 0x000d_3a00_0000 | (rng.next() & 0xFF_FFFF);
        let n_roles = (2 + cfg.target_bytes / (16 << 20)).min(ROLE_KINDS.len());
        let n_apps = 1 + cfg.target_bytes / (40 << 20);
        let m = Model {
            seed: cfg.seed,
            langs,
            prefix,
            org_version,
            serviceability,
            opt_prefix,
            entities: Vec::new(),
            optionsets: Vec::new(),
            roles: Vec::new(),
            priv_names: Vec::new(),
            workflows: Vec::new(),
            fsps: Vec::new(),
            maps: Vec::new(),
            rels: Vec::new(),
            dashboards: Vec::new(),
            webs: Vec::new(),
            assemblies: Vec::new(),
            steps: Vec::new(),
            apps: Vec::new(),
        };
        let mut g = Gen {
            rng,
            m,
            scratch: W::new(1 << 20),
            est: 6_000,
            ent_bytes: 0,
            names: HashSet::new(),
            os_names: HashSet::new(),
            n_roles,
            n_custom: 0,
            tail,
            common_lib: None,
        };
        for _ in 0..n_apps {
            g.new_app();
        }
        g.est += g.n_roles * (MISC_PRIVS.len() * 70 + 300);
        g
    }

    /// Mostly server-style GUIDs (random head, per-org tail), some random v4 ones.
    fn guid(&mut self) -> u128 {
        if self.rng.chance(70) {
            let hi = u128::from(self.rng.next() >> 16);
            let mid = [0xee11_u128, 0xef11, 0xf011][self.rng.below(3)];
            (hi << 80) | (mid << 64) | u128::from(self.tail)
        } else {
            self.rng.v4()
        }
    }

    fn hex8(&mut self) -> String {
        let v = self.rng.next();
        (0..8)
            .map(|i| HEX_LOWER[((v >> (28 - 4 * i)) & 0xF) as usize] as char)
            .collect()
    }

    fn measure(&mut self, f: impl FnOnce(&mut W, &Model)) -> usize {
        self.scratch.s.clear();
        f(&mut self.scratch, &self.m);
        self.scratch.s.len()
    }

    /// Labels for a phrase: mostly all languages, sometimes in another language order.
    fn labels(&mut self, text: Text) -> Labels {
        let all = self.rng.chance(85);
        let order = if self.rng.chance(10) {
            self.rng.range(1, 3) as u8
        } else {
            0
        };
        Labels { text, all, order }
    }

    /// A copy of `l` as a form cell shows it, sometimes listed in another language order.
    fn noisy(&mut self, l: &Labels) -> Labels {
        let mut c = l.clone();
        c.order = if self.rng.chance(15) {
            self.rng.range(1, 3) as u8
        } else {
            0
        };
        c
    }

    fn solution_camel(&self) -> String {
        let mut p = self.m.prefix.clone();
        if let Some(f) = p.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        p
    }

    fn new_app(&mut self) {
        let noun = self.rng.below(NOUNS.len()) as u16;
        let suffix = [M_HUB, M_MANAGEMENT, M_OPERATIONS][self.rng.below(3)];
        let p = Phrase::of(&[W_NOUN + noun, W_MISC + suffix]);
        let unique = format!("{}_{}{}", self.m.prefix, p.camel(), self.m.apps.len() + 1);
        let icon = self.guid();
        let name = Labels::words(p);
        let desc = if self.rng.chance(50) {
            Labels::empty()
        } else {
            Labels::words(Phrase::of(&[W_NOUN + noun, W_MISC + M_MANAGEMENT]))
        };
        let intro = self.rng.range(0, 3) as u8;
        self.m.apps.push(App {
            unique,
            name,
            desc,
            intro,
            icon,
            components: Vec::new(),
            roles: Vec::new(),
            areas: Vec::new(),
            entities: Vec::new(),
        });
        self.est += 1_500;
    }

    fn entity_phrase(&mut self) -> Phrase {
        let mut tries = 0;
        loop {
            tries += 1;
            let a = W_NOUN + self.rng.below(NOUNS.len()) as u16;
            let b = W_NOUN + self.rng.below(NOUNS.len()) as u16;
            let p = if tries > 30 {
                let c = W_NOUN + self.rng.below(NOUNS.len()) as u16;
                Phrase::of(&[a, b, c])
            } else if self.rng.chance(30) {
                Phrase::of(&[a])
            } else {
                Phrase::of(&[a, b])
            };
            if p.words().windows(2).any(|w| w[0] == w[1]) {
                continue;
            }
            let logical = lower(&format!("{}_{}", self.m.prefix, p.camel()));
            if self.names.insert(logical) {
                return p;
            }
        }
    }

    fn attr(&mut self, physical: String, ty: Ty, display: Labels, desc: Labels) -> Attr {
        let logical = lower(&physical);
        Attr {
            physical,
            logical,
            ty,
            req: 0,
            mask: 0,
            ime: 1,
            custom: false,
            unmodified: false,
            flags: F_UPDATE | F_CREATE,
            intro: 0,
            source: 0,
            display,
            desc,
        }
    }

    fn state_status(&mut self, logical: &str, enforce: bool) -> (OptSet, OptSet) {
        let state = OptSet {
            name: format!("{logical}_statecode"),
            kind: 2,
            global: false,
            display: Labels::sys(24),
            desc: Labels::sys(25),
            options: vec![
                Opt {
                    value: 0,
                    labels: Labels::sys(35),
                    desc: false,
                    extra: 1,
                    color: None,
                    transitions: vec![],
                },
                Opt {
                    value: 1,
                    labels: Labels::sys(36),
                    desc: false,
                    extra: 2,
                    color: None,
                    transitions: vec![],
                },
            ],
            intro: 0,
        };
        let mut statuses = vec![
            Opt {
                value: 1,
                labels: Labels::sys(35),
                desc: false,
                extra: 0,
                color: None,
                transitions: vec![],
            },
            Opt {
                value: 2,
                labels: Labels::sys(36),
                desc: false,
                extra: 1,
                color: None,
                transitions: vec![],
            },
        ];
        let extra = if self.rng.chance(30) {
            self.rng.range(1, 3)
        } else {
            0
        };
        let scale = SCALES[self.rng.below(SCALES.len())];
        for (k, &wd) in scale.iter().enumerate().take(extra) {
            let labels = self.labels(Text::Words(Phrase::of(&[W_OPT + wd])));
            statuses.insert(
                1 + k,
                Opt {
                    value: self.m.opt_prefix * 10_000 + k as i64,
                    labels,
                    desc: false,
                    extra: 0,
                    color: Some(COLORS[self.rng.below(COLORS.len())]),
                    transitions: vec![],
                },
            );
        }
        if enforce {
            let values: Vec<i64> = statuses.iter().map(|o| o.value).collect();
            for (i, o) in statuses.iter_mut().enumerate() {
                o.transitions = values
                    .iter()
                    .copied()
                    .filter(|&v| v != values[i])
                    .take(2)
                    .collect();
            }
        }
        let status = OptSet {
            name: format!("{logical}_statuscode"),
            kind: 3,
            global: false,
            display: Labels::sys(26),
            desc: Labels::sys(27),
            options: statuses,
            intro: 0,
        };
        (state, status)
    }

    /// The attributes every user-owned custom table has: (schema name, type, display label and
    /// description in SYS, RequiredLevel, DisplayMask, ImeMode, flags).
    fn system_attrs(&mut self, schema: &str, logical: &str, p: Phrase, flags: u64) -> Vec<Attr> {
        let lk = || Ty::Lookup;
        let int = || Ty::Int {
            format: 0,
            min: -1,
            max: 2_147_483_647,
        };
        let (state, status) = self.state_status(logical, flags >> 9 & 1 == 1);
        let dt = |date_only| Ty::DateTime {
            date_only,
            can_change: false,
        };
        #[rustfmt::skip]
        let specs: Vec<SysSpec> = vec![
            ("CreatedBy", lk(), 0, 1, 0, 0, 1, 0),
            ("CreatedOn", dt(false), 2, 3, 0, 0, 2, F_FILTER | F_RETRIEVE),
            ("CreatedOnBehalfBy", lk(), 4, 5, 0, 0, 1, 0),
            ("ImportSequenceNumber", Ty::Int { format: 0, min: -2_147_483_648, max: 2_147_483_647 }, 6, 7, 0, 3, 3, F_CREATE | F_AUDIT),
            ("ModifiedBy", lk(), 8, 9, 0, 0, 1, 0),
            ("ModifiedOn", dt(false), 10, 11, 0, 0, 2, F_FILTER | F_RETRIEVE),
            ("ModifiedOnBehalfBy", lk(), 12, 13, 0, 0, 1, 0),
            ("OverriddenCreatedOn", dt(true), 14, 15, 0, 0, 2, F_CREATE),
            ("OwnerId", Ty::Owner, 16, 17, 3, 0, 1, F_UPDATE | F_CREATE | F_AUDIT | F_FILTER | F_RETRIEVE),
            ("OwningBusinessUnit", lk(), 18, 19, 0, 0, 1, F_FILTER),
            ("OwningTeam", lk(), 20, 21, 0, 0, 1, 0),
            ("OwningUser", lk(), 22, 23, 0, 0, 1, 0),
            ("statecode", Ty::State(Box::new(state)), 24, 25, 3, 0, 1, F_UPDATE | F_AUDIT | F_FILTER),
            ("statuscode", Ty::Status(Box::new(status)), 26, 27, 0, 0, 1, F_UPDATE | F_CREATE | F_AUDIT),
            ("TimeZoneRuleVersionNumber", int(), 28, 29, 0, 255, 1, F_UPDATE | F_CREATE),
            ("UTCConversionTimeZoneCode", int(), 30, 31, 0, 255, 1, F_UPDATE | F_CREATE),
            ("VersionNumber", Ty::BigInt, 32, 32, 0, 255, 0, 0),
        ];
        let mut out = Vec::with_capacity(64);
        for (name, ty, disp, desc, req, mask, ime, fl) in specs {
            let mut a = self.attr(name.to_string(), ty, Labels::sys(disp), Labels::sys(desc));
            a.req = req;
            a.mask = mask;
            a.ime = ime;
            a.flags = fl;
            if matches!(a.ty, Ty::Lookup) && a.logical.starts_with("owning") {
                a.mask = 3;
            }
            out.push(a);
        }
        let mut pk = self.attr(
            format!("{schema}Id"),
            Ty::PrimaryKey,
            Labels::words(p),
            Labels::sys(33),
        );
        pk.req = 3;
        pk.mask = 1;
        pk.flags = F_CREATE | F_FILTER | F_RETRIEVE | F_NOREQMOD;
        out.push(pk);
        let name_max = [100, 100, 200, 850][self.rng.below(4)];
        let mut name = self.attr(
            format!("{}_Name", self.m.prefix),
            Ty::Str {
                format: 0,
                max: name_max,
            },
            Labels::sys(37),
            Labels::sys(34),
        );
        name.req = 1;
        name.mask = 2;
        name.flags = F_UPDATE | F_CREATE | F_AUDIT | F_SEARCH | F_RETRIEVE;
        out.push(name);
        out
    }

    fn options(&mut self, scale: &[u16], with_desc: bool) -> Vec<Opt> {
        let base = self.m.opt_prefix * 10_000;
        let n = self.rng.range(2.min(scale.len()), scale.len());
        let mut words: Vec<u16> = scale[..n].to_vec();
        if self.rng.chance(20) {
            let extra = self.rng.below(OPTION_WORDS.len()) as u16;
            if !words.contains(&extra) {
                words.push(extra);
            }
        }
        let colored = self.rng.chance(20);
        let mut out: Vec<Opt> = Vec::with_capacity(words.len());
        for (k, &wd) in words.iter().enumerate() {
            let labels = self.labels(Text::Words(Phrase::of(&[W_OPT + wd])));
            let color = if colored {
                Some(COLORS[k % COLORS.len()])
            } else {
                None
            };
            out.push(Opt {
                value: base + k as i64,
                labels,
                desc: with_desc,
                extra: 0,
                color,
                transitions: vec![],
            });
        }
        if out.len() > 2 && self.rng.chance(15) {
            let i = self.rng.below(out.len() - 1);
            out.swap(i, i + 1);
        }
        out
    }

    fn new_global_optionset(&mut self, p: Phrase, intro: u8) -> usize {
        let mut name = lower(&format!("{}_{}", self.m.prefix, p.camel()));
        let mut k = 2;
        while !self.os_names.insert(name.clone()) {
            name = lower(&format!("{}_{}{}", self.m.prefix, p.camel(), k));
            k += 1;
        }
        let scale = SCALES[self.rng.below(SCALES.len())];
        let options = self.options(scale, true);
        let display = self.labels(Text::Words(p));
        let os = OptSet {
            name,
            kind: 0,
            global: true,
            display,
            desc: Labels::empty(),
            options,
            intro,
        };
        self.m.optionsets.push(os);
        let i = self.m.optionsets.len() - 1;
        self.est += self.measure(|w, m| r_optionset(w, m, 2, &m.optionsets[i]));
        i
    }

    /// A custom column whose kind follows its last word.
    fn custom_attr(
        &mut self,
        ent_logical: &str,
        used: &mut HashSet<String>,
        intro: u8,
    ) -> Option<Attr> {
        for _ in 0..8 {
            let last = loop {
                let i = self.rng.below(FIELDS.len());
                if FIELDS[i].1 != Fc::Qual {
                    break i;
                }
            };
            let p = match self.rng.below(10) {
                0..=3 => Phrase::of(&[W_FIELD + last as u16]),
                4..=6 => {
                    let q = loop {
                        let i = self.rng.below(FIELDS.len());
                        if FIELDS[i].1 == Fc::Qual {
                            break i;
                        }
                    };
                    Phrase::of(&[W_FIELD + q as u16, W_FIELD + last as u16])
                }
                _ => Phrase::of(&[
                    W_NOUN + self.rng.below(NOUNS.len()) as u16,
                    W_FIELD + last as u16,
                ]),
            };
            let physical = format!("{}_{}", self.m.prefix, p.camel());
            let logical = lower(&physical);
            if !used.insert(logical.clone()) {
                continue;
            }
            let class = FIELDS[last].1;
            let ty = match class {
                Fc::Text | Fc::Qual => Ty::Str {
                    format: 0,
                    max: [50, 100, 100, 100, 200, 250, 500, 850, 1000, 4000][self.rng.below(10)],
                },
                Fc::Email => Ty::Str {
                    format: 1,
                    max: 100,
                },
                Fc::Phone => Ty::Str { format: 2, max: 50 },
                Fc::Url => Ty::Str {
                    format: 3,
                    max: 200,
                },
                Fc::Memo => Ty::Memo {
                    format: self.rng.below(2) as u8,
                    max: [2000, 4000, 10_000, 100_000, 1_048_576][self.rng.below(5)],
                },
                Fc::Money => Ty::Money {
                    prec: if self.rng.chance(80) { 2 } else { 4 },
                },
                Fc::Int => {
                    let duration = word(W_FIELD + last as u16)[0] == "Duration";
                    if self.rng.chance(50) {
                        Ty::Int {
                            format: u8::from(duration),
                            min: 0,
                            max: 2_147_483_647,
                        }
                    } else {
                        Ty::Int {
                            format: u8::from(duration),
                            min: -2_147_483_648,
                            max: 2_147_483_647,
                        }
                    }
                }
                Fc::Dec => {
                    if self.rng.chance(50) {
                        Ty::Decimal {
                            min: 0,
                            max: 100,
                            prec: 2,
                        }
                    } else {
                        Ty::Decimal {
                            min: -100_000_000_000,
                            max: 100_000_000_000,
                            prec: self.rng.range(1, 4) as u8,
                        }
                    }
                }
                Fc::Date => Ty::DateTime {
                    date_only: self.rng.chance(60),
                    can_change: true,
                },
                Fc::Bit => {
                    let set = OptSet {
                        name: format!("{ent_logical}_{logical}"),
                        kind: 1,
                        global: false,
                        display: Labels::words(p),
                        desc: Labels::empty(),
                        options: vec![
                            Opt {
                                value: 1,
                                labels: Labels::sys(38),
                                desc: false,
                                extra: 0,
                                color: None,
                                transitions: vec![],
                            },
                            Opt {
                                value: 0,
                                labels: Labels::sys(39),
                                desc: false,
                                extra: 0,
                                color: None,
                                transitions: vec![],
                            },
                        ],
                        intro,
                    };
                    Ty::Bit(Box::new(set))
                }
                Fc::Pick => {
                    if self.rng.chance(60) {
                        let scale = SCALES[self.rng.below(SCALES.len())];
                        let options = self.options(scale, true);
                        let default = if self.rng.chance(40) {
                            Some(options[0].value)
                        } else {
                            None
                        };
                        let display = self.labels(Text::Words(p));
                        let set = OptSet {
                            name: format!("{ent_logical}_{logical}"),
                            kind: 0,
                            global: false,
                            display,
                            desc: Labels::empty(),
                            options,
                            intro,
                        };
                        Ty::Picklist {
                            set: Some(Box::new(set)),
                            global: None,
                            default,
                        }
                    } else {
                        let i = if !self.m.optionsets.is_empty() && self.rng.chance(50) {
                            self.rng.below(self.m.optionsets.len())
                        } else {
                            self.new_global_optionset(p, intro)
                        };
                        let os = &self.m.optionsets[i];
                        let default = if self.rng.chance(40) {
                            Some(os.options[0].value)
                        } else {
                            None
                        };
                        Ty::Picklist {
                            set: None,
                            global: Some(os.name.clone()),
                            default,
                        }
                    }
                }
            };
            let display = self.labels(Text::Words(p));
            let desc = if self.rng.chance(70) {
                Labels::empty()
            } else {
                self.labels(Text::Words(p.push(W_MISC + M_INFORMATION)))
            };
            let mut a = self.attr(physical, ty, display, desc);
            a.custom = true;
            a.intro = (intro + self.rng.below(2) as u8).min(5);
            a.req = match self.rng.below(100) {
                0..=14 => 1,
                15..=21 => 2,
                _ => 0,
            };
            let mut f = F_UPDATE | F_CREATE;
            if self.rng.chance(70) {
                f |= F_AUDIT;
            }
            if self.rng.chance(4) {
                f |= F_SECURED;
            }
            if self.rng.chance(25) {
                f |= F_SEARCH;
            }
            if self.rng.chance(20) {
                f |= F_FILTER | F_RETRIEVE;
            }
            a.flags = f;
            if matches!(a.ty, Ty::Money { .. }) && self.rng.chance(20) {
                a.source = 2;
                a.flags &= !(F_UPDATE | F_CREATE);
            }
            return Some(a);
        }
        None
    }

    /// A lookup from the entity being built to `parent`, with its relationship, maybe an entity
    /// map, and a subgrid on the parent's main form.
    fn add_lookup(
        &mut self,
        parent: usize,
        child: (&str, &str, Phrase),
        assoc_view: u128,
        used: &mut HashSet<String>,
        intro: u8,
    ) -> Option<Attr> {
        let (child_schema, child_logical, child_p) = child;
        let pent = &self.m.entities[parent];
        let p_schema = pent.schema.clone();
        let p_logical = pent.logical.clone();
        let p_name = pent.name.text.clone();
        let p_primary_name = pent.primary_name.clone();
        let short = |s: &str, prefix: &str| -> String {
            s.strip_prefix(prefix)
                .and_then(|x| x.strip_prefix('_'))
                .unwrap_or(s)
                .to_string()
        };
        let prefix = self.m.prefix.clone();
        let base = short(&p_schema, &prefix);
        let mut physical = format!("{prefix}_{base}Id");
        let mut display = match &p_name {
            Text::Words(p) => Text::Words(*p),
            other => other.clone(),
        };
        if used.contains(&lower(&physical)) {
            let q = loop {
                let i = self.rng.below(FIELDS.len());
                if FIELDS[i].1 == Fc::Qual {
                    break i;
                }
            };
            physical = format!("{prefix}_{}{base}Id", word(W_FIELD + q as u16)[0]);
            if let Text::Words(p) = &display {
                display = Text::Words(Phrase::of(&[W_FIELD + q as u16]).then(*p));
            }
            if used.contains(&lower(&physical)) {
                return None;
            }
        }
        let logical = lower(&physical);
        used.insert(logical.clone());
        let labels = self.labels(display);
        let mut a = self.attr(physical.clone(), Ty::Lookup, labels, Labels::empty());
        a.custom = true;
        a.ime = 0;
        a.intro = intro;
        if self.rng.chance(20) {
            a.req = 2;
        }

        let rel_name = format!(
            "{prefix}_{}_{}_{}",
            lower(&base),
            short(child_logical, &prefix),
            short(&logical, &prefix)
        );
        let desc = if self.rng.chance(60) {
            Labels::empty()
        } else {
            Labels::lit("Unique identifier for the related record.")
        };
        let rel = Relationship {
            name: rel_name.clone(),
            referencing: child_schema.to_string(),
            referenced: p_schema.clone(),
            attr: physical.clone(),
            nav: format!("{physical}_{p_logical}"),
            cascade_delete: self.rng.below(3) as u8,
            cascade_assign: self.rng.below(2) as u8,
            intro,
            desc,
            order: 10_000 + 10 * self.rng.below(5) as i64,
        };
        self.m.rels.push(rel);
        let ri = self.m.rels.len() - 1;
        self.est += self.measure(|w, m| r_rel(w, m, &m.rels[ri]));

        // Subgrid of the children on the parent's main form (at most three per parent).
        let subgrids = self.m.entities[parent]
            .forms
            .first()
            .and_then(|f| f.tabs.last())
            .filter(|t| t.name == "tab_related")
            .map_or(0, |t| t.columns[0].sections[0].cells.len());
        if subgrids < 3 && !self.m.entities[parent].forms.is_empty() {
            let labels = self.labels(Text::Words(child_p.plural()));
            let cell = Cell {
                id: self.rng.v4(),
                labels,
                ctl: Ctl::Subgrid {
                    id: format!("subgrid_{}", short(child_logical, &prefix)),
                    target: child_logical.to_string(),
                    view: assoc_view,
                    rel: rel_name,
                },
            };
            if subgrids == 0 {
                let tab = Tab {
                    id: self.guid(),
                    name: "tab_related".into(),
                    labels: Labels::words(Phrase::of(&[W_MISC + M_RELATED])),
                    columns: vec![Column {
                        width: 100,
                        sections: vec![Section {
                            id: self.guid(),
                            name: "section_related".into(),
                            labels: Labels::words(Phrase::of(&[W_MISC + M_RELATED])),
                            show_label: false,
                            cells: vec![cell],
                        }],
                    }],
                };
                let len = self.measure(|w, m| r_tab(w, m, 8, &tab));
                self.est += len;
                self.ent_bytes += len;
                self.m.entities[parent].forms[0].tabs.push(tab);
            } else {
                let len = self.measure(|w, m| r_row(w, m, 14, &cell));
                self.est += len;
                self.ent_bytes += len;
                let form = &mut self.m.entities[parent].forms[0];
                if let Some(t) = form.tabs.last_mut() {
                    t.columns[0].sections[0].cells.push(cell);
                }
            }
        }

        // Entity map: the parent's name into a text column of the child.
        if self.rng.chance(25)
            && !self
                .m
                .maps
                .iter()
                .any(|em| em.source == p_logical && em.target == child_logical)
        {
            self.m.maps.push(EntityMap {
                source: p_logical.clone(),
                target: child_logical.to_string(),
                pairs: vec![(p_primary_name, format!("{prefix}_name"))],
            });
            let i = self.m.maps.len() - 1;
            self.est += self.measure(|w, m| r_map(w, &m.maps[i]));
        }
        Some(a)
    }

    fn add_web(
        &mut self,
        name: String,
        kind: u8,
        intro: u8,
        deps: Vec<(String, u128)>,
    ) -> (String, u128) {
        let id = self.guid();
        let display = name.rsplit('/').next().unwrap_or(&name).to_string();
        self.m.webs.push(WebRes {
            id,
            name: name.clone(),
            display,
            kind,
            intro,
            deps,
        });
        let i = self.m.webs.len() - 1;
        self.est += self.measure(|w, m| r_web(w, &m.webs[i]));
        (name, id)
    }

    fn add_entity_script(&mut self, logical: &str, p: Phrase, intro: u8) -> (String, u128) {
        let prefix = self.m.prefix.clone();
        let name = match self.rng.below(3) {
            0 => format!("{prefix}_/scripts/{logical}.js"),
            1 => format!("{prefix}_{logical}.js"),
            _ => format!("{prefix}_{}Form.js", p.camel()),
        };
        let mut deps = Vec::new();
        if self.rng.chance(30) {
            if self.common_lib.is_none() {
                let lib = self.add_web(format!("{prefix}_/scripts/common.js"), 3, 0, Vec::new());
                self.common_lib = Some(lib);
            }
            deps.extend(self.common_lib.clone());
        }
        self.add_web(name, 3, intro, deps)
    }

    fn field_cell(&mut self, a: &Attr) -> Cell {
        let labels = self.noisy(&a.display);
        Cell {
            id: self.guid(),
            labels,
            ctl: Ctl::Field {
                id: a.logical.clone(),
                attr: a.logical.clone(),
                class: class_of(&a.ty),
            },
        }
    }

    fn header_cell(&mut self, a: &Attr) -> Cell {
        let labels = self.noisy(&a.display);
        Cell {
            id: self.rng.v4(),
            labels,
            ctl: Ctl::Field {
                id: format!("header_{}", a.logical),
                attr: a.logical.clone(),
                class: class_of(&a.ty),
            },
        }
    }

    fn section(&mut self, name: String, word_id: u16, show: bool, attrs: &[&Attr]) -> Section {
        let mut cells = Vec::with_capacity(attrs.len());
        for a in attrs {
            cells.push(self.field_cell(a));
        }
        let labels = self.labels(Text::Words(Phrase::of(&[W_MISC + word_id])));
        Section {
            id: self.guid(),
            name,
            labels,
            show_label: show,
            cells,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn main_form(
        &mut self,
        p: Phrase,
        attrs: &[Attr],
        camel: &str,
        script: Option<&(String, u128)>,
        quick_view: Option<(String, String, u128)>,
        intro: u8,
    ) -> Form {
        let mut fields: Vec<&Attr> = attrs
            .iter()
            .filter(|a| (a.custom && !a.unmodified) || a.mask == 2)
            .collect();
        fields.sort_by_key(|a| a.mask != 2);
        let n = fields.len();
        let n_tabs = (1 + n / 10).min(3);
        let per_tab = n.div_ceil(n_tabs).max(1);
        let tab_words = [M_GENERAL, M_DETAILS, M_INFORMATION, M_ADMIN];
        let mut tabs = Vec::with_capacity(n_tabs);
        for t in 0..n_tabs {
            let chunk = &fields[(t * per_tab).min(n)..((t + 1) * per_tab).min(n)];
            let tab_name = if t == 0 {
                "general".to_string()
            } else {
                format!("tab_{}", t + 1)
            };
            let two = chunk.len() >= 6 && self.rng.chance(30);
            let halves: Vec<&[&Attr]> = if two {
                let h = chunk.len().div_ceil(2);
                vec![&chunk[..h], &chunk[h..]]
            } else {
                vec![chunk]
            };
            let mut columns = Vec::with_capacity(2);
            for (ci, cc) in halves.iter().enumerate() {
                let n_sec = if cc.len() >= 4 && self.rng.chance(40) {
                    2
                } else {
                    1
                };
                let per = cc.len().div_ceil(n_sec).max(1);
                let mut sections = Vec::with_capacity(n_sec);
                for s in 0..n_sec {
                    let part = &cc[(s * per).min(cc.len())..((s + 1) * per).min(cc.len())];
                    let name = format!("{tab_name}_section_{}", ci * 2 + s + 1);
                    sections.push(self.section(name, tab_words[(t + s) % 4], t > 0 || s > 0, part));
                }
                columns.push(Column {
                    width: if two { 50 } else { 100 },
                    sections,
                });
            }
            let labels = self.labels(Text::Words(Phrase::of(&[W_MISC + tab_words[t % 4]])));
            tabs.push(Tab {
                id: self.guid(),
                name: tab_name,
                labels,
                columns,
            });
        }
        if let Some((attr, target, form)) = quick_view {
            let labels = self.labels(Text::Words(Phrase::of(&[W_MISC + M_OVERVIEW])));
            let cell = Cell {
                id: self.rng.v4(),
                labels,
                ctl: Ctl::QuickView {
                    id: format!("{attr}_qv"),
                    attr,
                    target,
                    form,
                },
            };
            tabs[0].columns[0].sections[0].cells.push(cell);
        }
        let mut header = Vec::new();
        for name in ["ownerid", "statuscode"] {
            if let Some(a) = attrs.iter().find(|a| a.logical == name) {
                header.push(self.header_cell(a));
            }
        }
        let mut libs = Vec::new();
        let mut events = Vec::new();
        if let Some((lib, lib_id)) = script {
            if let Some((common, common_id)) = self.common_lib.clone()
                && self.rng.chance(50)
            {
                libs.push((common, common_id));
            }
            libs.push((lib.clone(), *lib_id));
            let ns = format!("{}.{camel}", self.solution_camel());
            events.push(Event {
                name: "onload",
                attr: None,
                handlers: vec![Handler {
                    func: format!("{ns}.onLoad"),
                    lib: lib.clone(),
                    id: self.guid(),
                    params: String::new(),
                }],
            });
            let customs: Vec<&Attr> = fields.iter().copied().filter(|a| a.custom).collect();
            let n_change = self.rng.below(3).min(customs.len());
            for k in 0..n_change {
                let a = customs[(k * 7 + 1) % customs.len()];
                let other = customs[(k * 7 + 4) % customs.len()];
                // One change event per column: a form has one `onchange` per column.
                if events
                    .iter()
                    .any(|e| e.attr.as_deref() == Some(a.logical.as_str()))
                {
                    continue;
                }
                let mut params = String::new();
                params.push('"');
                params.push_str(&a.logical);
                params.push_str("\",\"");
                params.push_str(&other.logical);
                params.push('"');
                let camel_attr: String =
                    a.physical.split('_').next_back().unwrap_or("").to_string();
                events.push(Event {
                    name: "onchange",
                    attr: Some(a.logical.clone()),
                    handlers: vec![Handler {
                        func: format!("{ns}.on{camel_attr}Change"),
                        lib: lib.clone(),
                        id: self.guid(),
                        params,
                    }],
                });
            }
            if self.rng.chance(30) {
                events.push(Event {
                    name: "onsave",
                    attr: None,
                    handlers: vec![Handler {
                        func: format!("{ns}.onSave"),
                        lib: lib.clone(),
                        id: self.guid(),
                        params: String::new(),
                    }],
                });
            }
        }
        let name = if self.rng.chance(60) {
            Labels::words(Phrase::of(&[W_MISC + M_INFORMATION]))
        } else {
            Labels::words(p.push(W_MISC + M_MAIN).push(W_MISC + M_FORM))
        };
        Form {
            id: self.guid(),
            kind: 0,
            name,
            desc: Labels::empty(),
            tabs,
            header_id: self.rng.v4(),
            header,
            libs,
            events,
            intro,
        }
    }

    fn small_form(&mut self, kind: u8, name: Labels, attrs: &[&Attr], intro: u8) -> Form {
        let section = self.section("section_1".into(), M_GENERAL, false, attrs);
        let labels = self.labels(Text::Words(Phrase::of(&[W_MISC + M_GENERAL])));
        let tab = Tab {
            id: self.guid(),
            name: "tab_1".into(),
            labels,
            columns: vec![Column {
                width: 100,
                sections: vec![section],
            }],
        };
        Form {
            id: self.guid(),
            kind,
            name,
            desc: Labels::empty(),
            tabs: vec![tab],
            header_id: 0,
            header: Vec::new(),
            libs: Vec::new(),
            events: Vec::new(),
            intro,
        }
    }

    fn views(&mut self, p: Phrase, attrs: &[Attr], ids: (u128, u128), intro: u8) -> Vec<View> {
        let (active_id, assoc_id) = ids;
        let name = attrs
            .iter()
            .find(|a| a.mask == 2)
            .map_or("name".to_string(), |a| a.logical.clone());
        let candidates: Vec<&Attr> = attrs
            .iter()
            .filter(|a| a.custom && !matches!(a.ty, Ty::Memo { .. }))
            .collect();
        let pick_cols = |g: &mut Gen, n: usize| -> Vec<(String, i64)> {
            let mut cols = vec![(name.clone(), 300)];
            if !candidates.is_empty() {
                let start = g.rng.below(candidates.len());
                for k in 0..n.min(candidates.len()) {
                    let a = candidates[(start + k) % candidates.len()];
                    cols.push((a.logical.clone(), 100 + 25 * g.rng.below(3) as i64));
                }
            }
            cols.push(("createdon".into(), 125));
            cols
        };
        let view = |id, name: Labels, qtype, is_default, cols, state| View {
            id,
            name,
            desc: None,
            qtype,
            is_default,
            quick_find: false,
            can_delete: false,
            entity_grid: false,
            cols,
            order: None,
            state,
            find_fields: Vec::new(),
            intro,
        };
        let mut out = Vec::with_capacity(8);
        let n = self.rng.below(5);
        let mut v = view(
            active_id,
            Labels::words(Phrase::of(&[W_MISC + M_ACTIVE]).then(p).plural()),
            0,
            true,
            pick_cols(self, n),
            Some(0),
        );
        v.order = Some(name.clone());
        out.push(v);
        let id = self.guid();
        let mut v = view(
            id,
            Labels::words(Phrase::of(&[W_MISC + M_INACTIVE]).then(p).plural()),
            0,
            false,
            pick_cols(self, 0),
            Some(1),
        );
        v.order = Some(name.clone());
        out.push(v);
        let id = self.guid();
        out.push(view(
            id,
            Labels::words(p.push(W_MISC + M_ADVFIND)),
            1,
            true,
            pick_cols(self, 0),
            None,
        ));
        let mut v = view(
            assoc_id,
            Labels::words(p.push(W_MISC + M_ASSOC)),
            2,
            true,
            pick_cols(self, 1),
            Some(0),
        );
        v.entity_grid = true;
        out.push(v);
        let id = self.guid();
        let mut v = view(
            id,
            Labels::words(p.push(W_MISC + M_LOOKUP)),
            64,
            true,
            pick_cols(self, 0),
            Some(0),
        );
        v.entity_grid = true;
        out.push(v);
        let id = self.guid();
        let mut v = view(
            id,
            Labels::words(
                Phrase::of(&[W_MISC + M_QUICKFIND, W_MISC + M_ACTIVE])
                    .then(p)
                    .plural(),
            ),
            4,
            true,
            pick_cols(self, 0),
            Some(0),
        );
        v.quick_find = true;
        v.find_fields.push(name.clone());
        if let Some(a) = candidates.iter().find(|a| matches!(a.ty, Ty::Str { .. })) {
            v.find_fields.push(a.logical.clone());
        }
        out.push(v);
        for k in 0..self.rng.below(3) {
            let id = self.guid();
            let word = [M_MY, M_OPEN, M_RECENT][k];
            let n = self.rng.range(2, 5);
            let mut v = view(
                id,
                Labels::words(Phrase::of(&[W_MISC + word]).then(p).plural()),
                0,
                false,
                pick_cols(self, n),
                Some(0),
            );
            v.can_delete = true;
            if self.rng.chance(50) {
                v.desc = Some(Labels::words(p.push(W_MISC + M_OVERVIEW)));
            }
            out.push(v);
        }
        out
    }

    fn entity_forms(
        &mut self,
        p: Phrase,
        attrs: &[Attr],
        camel: &str,
        script: Option<&(String, u128)>,
        qv: Option<(String, String, u128)>,
        intro: u8,
    ) -> Vec<Form> {
        let mut forms = vec![self.main_form(p, attrs, camel, script, qv, intro)];
        let by = |n: &str| attrs.iter().find(|a| a.logical == n);
        let name = attrs.iter().find(|a| a.mask == 2);
        let customs: Vec<&Attr> = attrs
            .iter()
            .filter(|a| a.custom && !matches!(a.ty, Ty::Memo { .. }))
            .collect();
        let mut quick: Vec<&Attr> = name.into_iter().collect();
        quick.extend(customs.iter().take(2));
        forms.push(self.small_form(
            2,
            Labels::words(Phrase::of(&[W_MISC + M_INFORMATION])),
            &quick,
            intro,
        ));
        if self.rng.chance(50) {
            let mut qc: Vec<&Attr> = name.into_iter().collect();
            qc.extend(customs.iter().skip(1).take(4));
            qc.extend(by("ownerid"));
            forms.push(self.small_form(
                1,
                Labels::words(p.push(W_MISC + M_QUICKCREATE)),
                &qc,
                intro,
            ));
        }
        if self.rng.chance(30) {
            let mut card: Vec<&Attr> = name.into_iter().collect();
            card.extend(by("statuscode"));
            card.extend(by("ownerid"));
            forms.push(self.small_form(
                3,
                Labels::words(Phrase::of(&[W_MISC + M_CARD, W_MISC + M_FORM])),
                &card,
                intro,
            ));
        }
        forms
    }

    fn assign_app(&mut self, logical: &str, p: Phrase) {
        let ai = (self.n_custom + self.m.entities.len()) % self.m.apps.len();
        self.m.apps[ai].entities.push(logical.to_string());
        let app = &self.m.apps[ai];
        let new_area = app
            .areas
            .last()
            .is_none_or(|a| a.groups.iter().map(|g| g.subs.len()).sum::<usize>() >= 24);
        let new_group = new_area
            || app
                .areas
                .last()
                .and_then(|a| a.groups.last())
                .is_none_or(|g| g.subs.len() >= 8);
        if new_area {
            let id = format!("area_{}", self.hex8());
            let w = [M_GENERAL, M_OPERATIONS, M_SETTINGS, M_MANAGEMENT, M_ADMIN][self.rng.below(5)];
            let title = self.labels(Text::Words(Phrase::of(&[W_MISC + w])));
            self.m.apps[ai].areas.push(Area {
                id,
                title,
                groups: Vec::new(),
            });
        }
        if new_group {
            let id = format!("group_{}", self.hex8());
            let title = self.labels(Text::Words(p.plural()));
            if let Some(a) = self.m.apps[ai].areas.last_mut() {
                a.groups.push(Group {
                    id,
                    title,
                    subs: Vec::new(),
                });
            }
        }
        let sub = format!("subarea_{}", self.hex8());
        if let Some(g) = self.m.apps[ai]
            .areas
            .last_mut()
            .and_then(|a| a.groups.last_mut())
        {
            g.subs.push((sub, logical.to_string()));
        }
    }

    fn est_extras(&mut self, schema: &str, logical: &str) {
        let mut bytes = 0;
        for (_, mask) in ROLE_KINDS.iter().take(self.n_roles) {
            for (k, op) in PRIV_OPS.iter().enumerate() {
                if mask >> k & 1 == 1 {
                    bytes += 2 + 8 + 21 + 3 + op.len() + schema.len() + 9 + 6 + 4;
                }
            }
        }
        bytes += 3 * 75 + logical.len() + 60;
        bytes += 260 + logical.len();
        self.est += bytes;
    }

    fn push_entity(&mut self, e: Entity) {
        let p = match &e.name.text {
            Text::Words(p) => *p,
            _ => Phrase::of(&[W_MISC + M_GENERAL]),
        };
        let (schema, logical) = (e.schema.clone(), e.logical.clone());
        self.m.entities.push(e);
        let i = self.m.entities.len() - 1;
        let len = self.measure(|w, m| r_entity(w, m, &m.entities[i]));
        self.est += len;
        self.ent_bytes += len;
        self.est_extras(&schema, &logical);
        self.assign_app(&logical, p);
    }

    /// Adds a custom table with its lookups, forms, views, scripts, maybe a workflow and a
    /// plug-in step; `max_custom` caps its number of custom columns. Returns its number of custom
    /// columns.
    fn add_custom_entity(&mut self, max_custom: Option<usize>) -> usize {
        let p = self.entity_phrase();
        let prefix = self.m.prefix.clone();
        let camel = p.camel();
        let schema = format!("{prefix}_{camel}");
        let logical = lower(&schema);
        let intro = self.rng.range(0, 4) as u8;
        let flags = self.rng.next();
        let mut attrs = self.system_attrs(&schema, &logical, p, flags);
        let mut used: HashSet<String> = attrs.iter().map(|a| a.logical.clone()).collect();
        let n = 2 + self.rng.below(6) + self.rng.below(16);
        for _ in 0..n.min(max_custom.unwrap_or(usize::MAX)) {
            if let Some(a) = self.custom_attr(&logical, &mut used, intro) {
                attrs.push(a);
            }
        }
        let active_view = self.guid();
        let assoc_view = self.guid();
        let mut quick_view = None;
        let n_lookups = self.rng.below(4).min(self.m.entities.len());
        for _ in 0..n_lookups {
            let parent = self.rng.below(self.m.entities.len());
            if let Some(a) =
                self.add_lookup(parent, (&schema, &logical, p), assoc_view, &mut used, intro)
            {
                let pe = &self.m.entities[parent];
                if quick_view.is_none()
                    && !pe.system
                    && let Some(qf) = pe.forms.iter().find(|f| f.kind == 2)
                {
                    quick_view = Some((a.logical.clone(), pe.logical.clone(), qf.id));
                }
                attrs.push(a);
            }
        }
        attrs.sort_by_cached_key(|a| lower(&a.physical));
        let script = if self.rng.chance(70) {
            Some(self.add_entity_script(&logical, p, intro))
        } else {
            None
        };
        if self.rng.chance(30) {
            self.add_web(
                format!("{prefix}_/icons/{logical}.svg"),
                11,
                intro,
                Vec::new(),
            );
        }
        let qv = if self.rng.chance(40) {
            quick_view
        } else {
            None
        };
        let forms = self.entity_forms(p, &attrs, &camel, script.as_ref(), qv, intro);
        let views = self.views(p, &attrs, (active_view, assoc_view), intro);
        let desc = if self.rng.chance(50) {
            Labels::empty()
        } else {
            self.labels(Text::Words(p.push(W_MISC + M_INFORMATION)))
        };
        let entity = Entity {
            schema: schema.clone(),
            logical: logical.clone(),
            system: false,
            name: Labels::words(p),
            plural: Labels::words(p.plural()),
            desc,
            attrs,
            forms,
            views,
            flags,
            intro,
            ribbon_hide: self.rng.chance(15),
            primary_id: format!("{logical}id"),
            primary_name: format!("{prefix}_name"),
        };
        let customs: Vec<String> = entity
            .attrs
            .iter()
            .filter(|a| a.custom)
            .map(|a| a.logical.clone())
            .collect();
        self.push_entity(entity);
        if self.rng.chance(35) {
            self.add_workflow(&logical, &text_string(&Text::Words(p), 0), &customs, intro);
        }
        if self.rng.chance(15) {
            self.add_step(&logical, &camel, &customs);
        }
        self.n_custom += 1;
        customs.len()
    }

    fn add_system_entity(&mut self, which: usize) {
        type Spec = (&'static str, Ty, u16, Option<u16>);
        let (schema, name, plural, desc, primary, specs): (&str, u16, u16, u16, &str, Vec<Spec>) =
            if which == 0 {
                (
                    "Account",
                    40,
                    41,
                    42,
                    "name",
                    vec![
                        ("AccountId", Ty::PrimaryKey, 40, Some(55)),
                        ("AccountNumber", Ty::Str { format: 0, max: 20 }, 48, None),
                        ("Address1_City", Ty::Str { format: 0, max: 80 }, 50, None),
                        (
                            "Name",
                            Ty::Str {
                                format: 0,
                                max: 160,
                            },
                            46,
                            Some(47),
                        ),
                        ("Telephone1", Ty::Str { format: 2, max: 50 }, 49, None),
                    ],
                )
            } else {
                (
                    "Contact",
                    43,
                    44,
                    45,
                    "fullname",
                    vec![
                        ("ContactId", Ty::PrimaryKey, 43, Some(56)),
                        (
                            "EMailAddress1",
                            Ty::Str {
                                format: 1,
                                max: 100,
                            },
                            54,
                            None,
                        ),
                        ("FirstName", Ty::Str { format: 0, max: 50 }, 52, None),
                        (
                            "FullName",
                            Ty::Str {
                                format: 0,
                                max: 160,
                            },
                            51,
                            None,
                        ),
                        ("LastName", Ty::Str { format: 0, max: 50 }, 53, None),
                    ],
                )
            };
        let logical = lower(schema);
        self.names.insert(logical.clone());
        let mut attrs = Vec::new();
        for (phys, ty, disp, desc) in specs {
            let d = desc.map_or_else(Labels::empty, Labels::sys);
            let is_pk = matches!(ty, Ty::PrimaryKey);
            let mut a = self.attr(phys.to_string(), ty, Labels::sys(disp), d);
            a.unmodified = true;
            a.intro = 6;
            a.flags = F_UPDATE | F_CREATE | F_FILTER | F_RETRIEVE;
            if is_pk {
                a.req = 3;
                a.mask = 1;
            } else if a.logical == primary {
                a.req = 2;
                a.mask = 2;
                a.flags |= F_SEARCH;
            }
            attrs.push(a);
        }
        let mut used: HashSet<String> = attrs.iter().map(|a| a.logical.clone()).collect();
        for _ in 0..self.rng.range(2, 5) {
            if let Some(a) = self.custom_attr(&logical, &mut used, 1) {
                attrs.push(a);
            }
        }
        attrs.sort_by_cached_key(|a| lower(&a.physical));
        let p = Phrase::of(&[W_MISC + M_INFORMATION]);
        let forms = vec![self.main_form(p, &attrs, schema, None, None, 1)];
        let cols: Vec<(String, i64)> = std::iter::once((primary.to_string(), 300))
            .chain(
                attrs
                    .iter()
                    .filter(|a| a.custom)
                    .take(3)
                    .map(|a| (a.logical.clone(), 150)),
            )
            .collect();
        let view = View {
            id: self.guid(),
            name: Labels::new(Text::Sys(plural), true),
            desc: None,
            qtype: 0,
            is_default: false,
            quick_find: false,
            can_delete: true,
            entity_grid: false,
            cols,
            order: Some(primary.to_string()),
            state: Some(0),
            find_fields: Vec::new(),
            intro: 1,
        };
        let entity = Entity {
            schema: schema.to_string(),
            logical: logical.clone(),
            system: true,
            name: Labels::sys(name),
            plural: Labels::sys(plural),
            desc: Labels::sys(desc),
            attrs,
            forms,
            views: vec![view],
            flags: self.rng.next(),
            intro: 6,
            ribbon_hide: false,
            primary_id: format!("{logical}id"),
            primary_name: primary.to_string(),
        };
        self.push_entity(entity);
    }

    fn add_workflow(&mut self, entity: &str, disp: &str, customs: &[String], intro: u8) {
        let kind = self.rng.below(4) as u8;
        const VERBS: [&str; 8] = [
            "Set defaults",
            "Assign to team",
            "Send reminder",
            "Close stale records",
            "Recalculate totals",
            "Notify owner",
            "Archive",
            "Escalate overdue",
        ];
        let name = match kind {
            0 => format!("{disp} - {}", VERBS[self.rng.below(VERBS.len())]),
            1 => format!("{disp}: validate on save"),
            2 => format!("{disp} Business Rules"),
            _ => format!("When a {disp} is created or updated, notify the owner"),
        };
        let update_attrs = if kind <= 1 && !customs.is_empty() && self.rng.chance(50) {
            let n = self.rng.range(1, 3).min(customs.len());
            customs[..n].join(",")
        } else {
            String::new()
        };
        let desc = if self.rng.chance(40) {
            Some(format!("Keeps {disp} records consistent"))
        } else {
            None
        };
        let wf = Workflow {
            id: self.guid(),
            name,
            kind,
            entity: if kind == 3 {
                "none".to_string()
            } else {
                entity.to_string()
            },
            desc,
            intro,
            update_attrs,
            on_create: kind <= 1,
        };
        self.m.workflows.push(wf);
        let i = self.m.workflows.len() - 1;
        self.est += self.measure(|w, m| r_workflow(w, m, &m.workflows[i]));
    }

    fn add_step(&mut self, entity: &str, camel: &str, customs: &[String]) {
        if self.m.assemblies.is_empty() {
            let asm = Assembly {
                id: self.rng.v4(),
                name: format!("{}.Plugins", self.solution_camel()),
                types: Vec::new(),
            };
            self.m.assemblies.push(asm);
            self.est += 700;
        }
        let types_len = self.m.assemblies[0].types.len();
        let type_idx = if types_len > 0 && self.rng.chance(40) {
            self.rng.below(types_len)
        } else {
            let op = ["Validate", "Calculate", "Sync", "Notify"][self.rng.below(4)];
            let name = format!("{}.{camel}{op}", self.m.assemblies[0].name);
            let (id, friendly) = (self.rng.v4(), self.rng.v4());
            self.m.assemblies[0].types.push((name, id, friendly));
            self.est += 450;
            types_len
        };
        let mi = self.rng.below(3);
        let message = ["Create", "Update", "Delete"][mi];
        let h = hash2(self.m.seed, mi as u64 + 77);
        let message_id = (u128::from(h) << 64) | u128::from(mix64(h));
        let filtering = if mi == 1 && !customs.is_empty() {
            customs[..customs.len().min(3)].join(",")
        } else {
            String::new()
        };
        let step = Step {
            id: self.guid(),
            type_idx,
            message,
            message_id,
            entity: entity.to_string(),
            stage: [20, 40][self.rng.below(2)],
            mode: self.rng.below(2) as i64,
            rank: 1,
            filtering,
        };
        self.m.steps.push(step);
        let i = self.m.steps.len() - 1;
        self.est += self.measure(|w, m| r_step(w, m, &m.steps[i]));
    }

    fn finalize(&mut self) {
        self.m.entities.sort_by_cached_key(|e| lower(&e.schema));
        // Role privileges over every entity, sorted case-insensitively by name.
        let mut names: Vec<String> = MISC_PRIVS.iter().map(|s| s.to_string()).collect();
        for e in &self.m.entities {
            for op in PRIV_OPS {
                names.push(format!("prv{op}{}", e.schema));
            }
        }
        names.sort_by_cached_key(|n| lower(n));
        names.dedup();
        let index: std::collections::HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let sol = self.solution_camel();
        let mut roles = Vec::with_capacity(self.n_roles);
        for (r, (kind, mask)) in ROLE_KINDS.iter().take(self.n_roles).enumerate() {
            let id = self.guid();
            let level = |i: u32| -> u8 {
                if r == 0 {
                    3
                } else {
                    (hash2(id as u64, u64::from(i)) % 4) as u8
                }
            };
            let mut privs: Vec<(u32, u8)> = MISC_PRIVS
                .iter()
                .map(|n| index[n])
                .map(|i| (i, level(i)))
                .collect();
            for e in &self.m.entities {
                for (k, op) in PRIV_OPS.iter().enumerate() {
                    if mask >> k & 1 == 1 {
                        let i = index[format!("prv{op}{}", e.schema).as_str()];
                        privs.push((i, level(i)));
                    }
                }
            }
            privs.sort_unstable();
            roles.push(Role {
                id,
                name: format!("{sol} {kind}"),
                privs,
            });
        }
        roles.sort_by_cached_key(|r| lower(&r.name));
        let role_ids: Vec<u128> = roles.iter().map(|r| r.id).collect();
        self.m.roles = roles;
        drop(index);
        self.m.priv_names = names;

        // App module components.
        let by_logical: std::collections::HashMap<&str, usize> = self
            .m
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.logical.as_str(), i))
            .collect();
        let mut comps: Vec<Vec<(i64, String, u128)>> = Vec::new();
        for app in &self.m.apps {
            let mut c = Vec::new();
            let ents: Vec<&Entity> = app
                .entities
                .iter()
                .filter_map(|l| by_logical.get(l.as_str()))
                .map(|&i| &self.m.entities[i])
                .collect();
            for e in &ents {
                c.push((1, e.logical.clone(), 0));
            }
            for e in &ents {
                if let Some(f) = e.forms.first() {
                    c.push((60, String::new(), f.id));
                }
            }
            c.push((62, app.unique.clone(), 0));
            for e in &ents {
                if let Some(v) = e.views.first() {
                    c.push((26, String::new(), v.id));
                }
            }
            comps.push(c);
        }
        drop(by_logical);
        for (app, c) in self.m.apps.iter_mut().zip(comps) {
            app.components = c;
            app.roles = role_ids.clone();
        }

        // Field security profiles for secured columns.
        let secured: Vec<(String, String)> = self
            .m
            .entities
            .iter()
            .flat_map(|e| {
                e.attrs
                    .iter()
                    .filter(|a| a.flags & F_SECURED != 0)
                    .map(move |a| (e.logical.clone(), a.logical.clone()))
            })
            .take(200)
            .collect();
        if !secured.is_empty() {
            for (k, suffix) in ["Sensitive Data", "Sensitive Data Read-Only"]
                .iter()
                .enumerate()
            {
                let id = self.guid();
                let perms = secured
                    .iter()
                    .map(|(e, a)| (e.clone(), a.clone(), k as u8))
                    .collect();
                self.m.fsps.push(Fsp {
                    id,
                    name: format!("{sol} {suffix}"),
                    perms,
                });
            }
        }

        // Dashboards with grids of some custom entities.
        let customs: Vec<usize> = (0..self.m.entities.len())
            .filter(|&i| !self.m.entities[i].system)
            .collect();
        if !customs.is_empty() {
            for _ in 0..1 + customs.len() / 300 {
                let n = self.rng.range(2, 4);
                let mut grids = Vec::with_capacity(n);
                for _ in 0..n {
                    let e = &self.m.entities[customs[self.rng.below(customs.len())]];
                    let (logical, view, label) =
                        (e.logical.clone(), e.views[0].id, e.plural.clone());
                    grids.push((logical, view, self.guid(), self.rng.v4(), label));
                }
                let noun = self.rng.below(NOUNS.len()) as u16;
                let db = Dashboard {
                    id: self.guid(),
                    name: Labels::words(Phrase::of(&[W_NOUN + noun, W_MISC + M_DASHBOARD])),
                    grids,
                    tab_id: self.rng.v4(),
                    section_id: self.rng.v4(),
                };
                self.m.dashboards.push(db);
            }
        }
        self.sort_sets();
    }

    fn sort_sets(&mut self) {
        self.m.rels.sort_by_cached_key(|r| lower(&r.name));
        self.m.optionsets.sort_by_cached_key(|o| lower(&o.name));
        self.m
            .maps
            .sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
    }

    /// Tops the document up to `target` with small root components (global option sets, web
    /// resources, cloud flows), measured exactly.
    fn fill(&mut self, target: usize) {
        let head = self.measure(r_head);
        let rest = self.measure(r_rest);
        let total = head + "\r\n  <Entities>\r\n  </Entities>".len() + self.ent_bytes + rest;
        let mut remaining = target as i64 - total as i64;
        let prefix = self.m.prefix.clone();
        let mut k = 0usize;
        while remaining > 0 {
            let mut kind = k % 3;
            k += 1;
            let len = loop {
                let len = match kind {
                    0 => {
                        let noun = self.rng.below(NOUNS.len()) as u16;
                        let field = 17 + self.rng.below(10) as u16;
                        let i = self
                            .new_global_optionset(Phrase::of(&[W_NOUN + noun, W_FIELD + field]), 2);
                        self.measure(|w, m| r_optionset(w, m, 2, &m.optionsets[i]))
                    }
                    1 => {
                        let noun = word(W_NOUN + self.rng.below(NOUNS.len()) as u16)[0]
                            .to_ascii_lowercase();
                        let (name, kind) = if self.rng.chance(50) {
                            (format!("{prefix}_/images/{noun}_{k}.svg"), 11)
                        } else {
                            (format!("{prefix}_/pages/{noun}{k}.html"), 1)
                        };
                        self.add_web(name, kind, 3, Vec::new());
                        self.measure(|w, m| r_web(w, m.webs.last().expect("just pushed")))
                    }
                    _ => {
                        let e = &self.m.entities[self.rng.below(self.m.entities.len())];
                        let disp = text_string(&e.name.text, 0);
                        let logical = e.logical.clone();
                        let customs: Vec<String> = e
                            .attrs
                            .iter()
                            .filter(|a| a.custom)
                            .map(|a| a.logical.clone())
                            .collect();
                        self.add_workflow(&logical, &disp, &customs, 3);
                        self.measure(|w, m| {
                            r_workflow(w, m, m.workflows.last().expect("just pushed"))
                        })
                    }
                };
                if (len as i64) <= remaining + len as i64 / 2 {
                    break Some(len);
                }
                // Too big: undo and try a smaller kind.
                match kind {
                    0 => {
                        let name = lower(&self.m.optionsets.last().expect("pushed").name);
                        self.m.optionsets.retain(|o| lower(&o.name) != name);
                    }
                    1 => {
                        self.m.webs.pop();
                    }
                    _ => {
                        self.m.workflows.pop();
                    }
                }
                if kind == 1 {
                    break None;
                }
                kind = 1;
            };
            match len {
                Some(len) => remaining -= len as i64,
                None => break,
            }
        }
        self.sort_sets();
    }
}

// ---------------------------------------------------------------------------------------------
// Edits (variants)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum EditKind {
    MaxLength,
    Label,
    AddColumn,
    AddCell,
    RolePrivilege,
    AddViewColumn,
    AddOption,
    WebResource,
    Cascade,
}
const EDIT_KINDS: usize = 9;
const ROTATION: [EditKind; 12] = [
    EditKind::MaxLength,
    EditKind::Label,
    EditKind::AddColumn,
    EditKind::AddCell,
    EditKind::RolePrivilege,
    EditKind::AddViewColumn,
    EditKind::AddOption,
    EditKind::Label,
    EditKind::MaxLength,
    EditKind::WebResource,
    EditKind::AddCell,
    EditKind::Cascade,
];

/// Ownership units: entity index, or one of these bases + index for root components.
const UNIT_ROLE: u32 = 1 << 24;
const UNIT_REL: u32 = 2 << 24;
const UNIT_OPTSET: u32 = 3 << 24;
const UNIT_WEB: u32 = 4 << 24;

#[derive(Clone, Copy, Debug)]
enum Loc {
    Attr(usize, usize),
    Entity(usize),
    Section(usize, usize, usize, usize, usize),
    View(usize, usize),
    GlobalOpt(usize),
    Web(usize),
    Priv(usize, usize),
    Rel(usize),
}

/// A place an edit can be made: one component (`comp`) inside one ownership unit.
#[derive(Clone, Debug)]
struct Site {
    kind: EditKind,
    unit: u32,
    comp: u64,
    loc: Loc,
}

fn collect_sites(m: &Model) -> Vec<Site> {
    let mut out = Vec::new();
    let key = |tag: u64, a: usize, b: usize| (tag << 60) | ((a as u64) << 32) | b as u64;
    for (e, ent) in m.entities.iter().enumerate() {
        let unit = e as u32;
        for (a, at) in ent.attrs.iter().enumerate() {
            if !at.custom || at.unmodified {
                continue;
            }
            let comp = key(1, e, a);
            let loc = Loc::Attr(e, a);
            if matches!(at.ty, Ty::Str { .. }) {
                out.push(Site {
                    kind: EditKind::MaxLength,
                    unit,
                    comp,
                    loc,
                });
            }
            if let Ty::Picklist { set: Some(_), .. } = at.ty {
                out.push(Site {
                    kind: EditKind::AddOption,
                    unit,
                    comp,
                    loc,
                });
            }
            out.push(Site {
                kind: EditKind::Label,
                unit,
                comp,
                loc,
            });
        }
        out.push(Site {
            kind: EditKind::AddColumn,
            unit,
            comp: key(2, e, 0),
            loc: Loc::Entity(e),
        });
        for (f, form) in ent.forms.iter().enumerate().filter(|(_, f)| f.kind == 0) {
            for (t, tab) in form.tabs.iter().enumerate() {
                for (c, col) in tab.columns.iter().enumerate() {
                    for (s, sec) in col.sections.iter().enumerate() {
                        if sec
                            .cells
                            .iter()
                            .any(|c| matches!(c.ctl, Ctl::Subgrid { .. }))
                        {
                            continue;
                        }
                        let comp = key(3, e, (f << 24) | (t << 16) | (c << 8) | s);
                        out.push(Site {
                            kind: EditKind::AddCell,
                            unit,
                            comp,
                            loc: Loc::Section(e, f, t, c, s),
                        });
                    }
                }
            }
        }
        for v in 0..ent.views.len() {
            out.push(Site {
                kind: EditKind::AddViewColumn,
                unit,
                comp: key(4, e, v),
                loc: Loc::View(e, v),
            });
        }
    }
    for (r, role) in m.roles.iter().enumerate() {
        for p in (3..role.privs.len()).step_by(7) {
            out.push(Site {
                kind: EditKind::RolePrivilege,
                unit: UNIT_ROLE + r as u32,
                comp: key(7, r, p),
                loc: Loc::Priv(r, p),
            });
        }
    }
    for i in 0..m.rels.len() {
        out.push(Site {
            kind: EditKind::Cascade,
            unit: UNIT_REL + i as u32,
            comp: key(8, i, 0),
            loc: Loc::Rel(i),
        });
    }
    for o in 0..m.optionsets.len() {
        out.push(Site {
            kind: EditKind::AddOption,
            unit: UNIT_OPTSET + o as u32,
            comp: key(5, o, 0),
            loc: Loc::GlobalOpt(o),
        });
    }
    for w in 0..m.webs.len() {
        out.push(Site {
            kind: EditKind::WebResource,
            unit: UNIT_WEB + w as u32,
            comp: key(6, w, 0),
            loc: Loc::Web(w),
        });
    }
    out
}

/// Picks `count` sites (indices into `sites`) among those `keep` accepts: kinds rotate over
/// [`ROTATION`], and the sites of each kind are taken evenly spaced over the document.
fn select(
    sites: &[Site],
    keep: impl Fn(&Site) -> bool,
    count: usize,
    used: &mut HashSet<u64>,
) -> Vec<usize> {
    let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); EDIT_KINDS];
    for (i, s) in sites.iter().enumerate() {
        if keep(s) && !used.contains(&s.comp) {
            by_kind[s.kind as usize].push(i);
        }
    }
    let mut want = [0usize; EDIT_KINDS];
    for k in 0..count {
        let placed = (0..ROTATION.len())
            .map(|off| ROTATION[(k + off) % ROTATION.len()] as usize)
            .find(|&kind| want[kind] < by_kind[kind].len());
        match placed {
            Some(kind) => want[kind] += 1,
            None => break,
        }
    }
    let mut picks = Vec::with_capacity(count);
    for (kind, list) in by_kind.iter().enumerate() {
        let c = want[kind];
        for j in 0..c {
            let mut idx = (2 * j + 1) * list.len() / (2 * c);
            for _ in 0..list.len() {
                let si = list[idx];
                if used.insert(sites[si].comp) {
                    picks.push(si);
                    break;
                }
                idx = (idx + 1) % list.len();
            }
        }
    }
    picks.sort_unstable();
    picks
}

fn edit_rng(m: &Model, comp: u64, side: u32) -> Rng {
    Rng::new(hash2(m.seed ^ (u64::from(side) << 56), comp))
}

fn apply_edits(m: &mut Model, sites: &[Site], picks: &[usize], side: u32) {
    // Column insertions shift attribute indices: do them last.
    for &i in picks
        .iter()
        .filter(|&&i| sites[i].kind != EditKind::AddColumn)
    {
        apply_one(m, &sites[i], side);
    }
    for &i in picks
        .iter()
        .filter(|&&i| sites[i].kind == EditKind::AddColumn)
    {
        apply_one(m, &sites[i], side);
    }
}

fn apply_one(m: &mut Model, site: &Site, side: u32) {
    let mut rng = edit_rng(m, site.comp, side);
    match (site.kind, site.loc) {
        (EditKind::MaxLength, Loc::Attr(e, a)) => {
            if let Ty::Str { max, .. } = &mut m.entities[e].attrs[a].ty {
                *max = if *max >= 4000 { *max / 2 } else { *max * 2 };
            }
        }
        (EditKind::Label, Loc::Attr(e, a)) => {
            let (langs, n) = label_langs(m, &m.entities[e].attrs[a].display);
            let which = if n > 1 { 1 + rng.below(n - 1) } else { 0 };
            let li = langs[which] as usize;
            let at = &mut m.entities[e].attrs[a];
            let old = text_string(&at.display.text, li);
            let new = match &at.display.text {
                Text::Words(p) => {
                    let mut q = *p;
                    let first = q.w[0];
                    q.w[0] = if (W_FIELD..W_OPT).contains(&first) {
                        W_FIELD + rng.below(FIELDS.len()) as u16
                    } else {
                        W_NOUN + rng.below(NOUNS.len()) as u16
                    };
                    text_string(&Text::Words(q), li)
                }
                _ => String::new(),
            };
            let new = if new.is_empty() || new == old {
                let q = W_FIELD + 49 + rng.below(FIELDS.len() - 49) as u16;
                format!("{old} ({})", word(q)[li])
            } else {
                new
            };
            let entries: Vec<(u8, Box<str>)> = langs[..n]
                .iter()
                .map(|&l| {
                    let t = if l as usize == li {
                        new.clone()
                    } else {
                        text_string(&at.display.text, l as usize)
                    };
                    (l, t.into_boxed_str())
                })
                .collect();
            at.display.text = Text::Custom(entries.into_boxed_slice());
        }
        (EditKind::AddColumn, Loc::Entity(e)) => add_column(m, e, &mut rng, None),
        (EditKind::AddOption, Loc::Attr(e, a)) => {
            if let Ty::Picklist { set: Some(set), .. } = &mut m.entities[e].attrs[a].ty {
                add_option(set, &mut rng, 1);
            }
        }
        (EditKind::AddOption, Loc::GlobalOpt(o)) => add_option(&mut m.optionsets[o], &mut rng, 1),
        (EditKind::AddCell, Loc::Section(e, f, t, c, s)) => {
            let ent = &m.entities[e];
            let on_form: HashSet<&str> = ent.forms[f]
                .tabs
                .iter()
                .flat_map(|t| t.columns.iter())
                .flat_map(|c| c.sections.iter())
                .flat_map(|s| s.cells.iter())
                .filter_map(|c| match &c.ctl {
                    Ctl::Field { attr, .. } => Some(attr.as_str()),
                    _ => None,
                })
                .collect();
            let n = ent.attrs.len();
            let start = rng.below(n);
            let free = |a: &&Attr| !on_form.contains(a.logical.as_str());
            let ring = || (0..n).map(|k| &ent.attrs[(start + k) % n]);
            let pick = ring().filter(|a| a.custom).find(free).or_else(|| {
                ring()
                    .filter(|a| matches!(a.ty, Ty::DateTime { .. } | Ty::Status(_) | Ty::Owner))
                    .find(free)
            });
            let (id, attr, class, labels) = match pick {
                Some(a) => (
                    a.logical.clone(),
                    a.logical.clone(),
                    class_of(&a.ty),
                    a.display.clone(),
                ),
                None => {
                    let a = &ent.attrs[start];
                    (
                        format!("{}1", a.logical),
                        a.logical.clone(),
                        class_of(&a.ty),
                        a.display.clone(),
                    )
                }
            };
            let cell = Cell {
                id: rng.v4(),
                labels: Labels { order: 0, ..labels },
                ctl: Ctl::Field { id, attr, class },
            };
            m.entities[e].forms[f].tabs[t].columns[c].sections[s]
                .cells
                .push(cell);
        }
        (EditKind::AddViewColumn, Loc::View(e, v)) => {
            let ent = &m.entities[e];
            let view = &ent.views[v];
            let n = ent.attrs.len();
            let start = rng.below(n);
            let pick = (0..n)
                .map(|k| &ent.attrs[(start + k) % n])
                .find(|a| {
                    !matches!(a.ty, Ty::PrimaryKey | Ty::Memo { .. })
                        && !view.cols.iter().any(|(c, _)| *c == a.logical)
                })
                .map(|a| a.logical.clone());
            if let Some(col) = pick {
                let width = 100 + 25 * rng.below(3) as i64;
                m.entities[e].views[v].cols.push((col, width));
            }
        }
        (EditKind::WebResource, Loc::Web(w)) => {
            let len = m.webs.len();
            let mut dep = None;
            if len > 1 {
                let start = rng.below(len);
                for k in 0..len {
                    let o = (start + k) % len;
                    let cand = &m.webs[o];
                    if o != w
                        && cand.kind == 3
                        && !m.webs[w].deps.iter().any(|(n, _)| *n == cand.name)
                    {
                        dep = Some((cand.name.clone(), cand.id));
                        break;
                    }
                }
            }
            let dep = dep.unwrap_or_else(|| {
                (
                    format!("{}_/scripts/lib{}.js", m.prefix, rng.below(1000)),
                    rng.v4(),
                )
            });
            m.webs[w].deps.push(dep);
        }
        (EditKind::RolePrivilege, Loc::Priv(r, p)) => {
            let lv = &mut m.roles[r].privs[p].1;
            *lv = (*lv + 1 + rng.below(3) as u8) % 4;
        }
        (EditKind::Cascade, Loc::Rel(i)) => {
            let cd = &mut m.rels[i].cascade_delete;
            *cd = (*cd + 1) % 3;
        }
        _ => {}
    }
}

/// Appends an option; `slot` 1 or 2 gives the two sides of a triple distinct values and labels.
fn add_option(set: &mut OptSet, rng: &mut Rng, slot: i64) {
    let max = set.options.iter().map(|o| o.value).max().unwrap_or(0);
    let used: Vec<u16> = set
        .options
        .iter()
        .filter_map(|o| match o.labels.text {
            Text::Words(p) => Some(p.w[0]),
            _ => None,
        })
        .collect();
    let half = OPTION_WORDS.len() / 2;
    let mut wd = W_OPT + (2 * rng.below(half) + (slot as usize - 1)) as u16;
    for _ in 0..OPTION_WORDS.len() {
        if !used.contains(&wd) {
            break;
        }
        wd = W_OPT + ((wd - W_OPT + 2) as usize % (2 * half)) as u16;
    }
    let desc = set.options.first().is_some_and(|o| o.desc);
    set.options.push(Opt {
        value: max + slot,
        labels: Labels::words(Phrase::of(&[wd])),
        desc,
        extra: 0,
        color: None,
        transitions: Vec::new(),
    });
}

/// Adds a new text or whole-number column; `side` 1/2 draws its name from disjoint word halves.
fn add_column(m: &mut Model, e: usize, rng: &mut Rng, side: Option<u32>) {
    let quals: Vec<u16> = (0..FIELDS.len())
        .filter(|&i| FIELDS[i].1 == Fc::Qual)
        .map(|i| i as u16)
        .collect();
    let lasts: Vec<u16> = (0..FIELDS.len())
        .filter(|&i| matches!(FIELDS[i].1, Fc::Text | Fc::Int))
        .map(|i| i as u16)
        .collect();
    let ent = &m.entities[e];
    let mut chosen = None;
    for t in 0..200 {
        let q = match side {
            Some(s) => quals[(2 * rng.below(quals.len() / 2) + s as usize - 1) % quals.len()],
            None => quals[rng.below(quals.len())],
        };
        let l = lasts[rng.below(lasts.len())];
        let mut p = Phrase::of(&[W_FIELD + q, W_FIELD + l]);
        if t > 100 {
            p = p.push(W_NOUN + rng.below(NOUNS.len()) as u16);
        }
        let physical = format!("{}_{}", m.prefix, p.camel());
        let logical = lower(&physical);
        if !ent.attrs.iter().any(|a| a.logical == logical) {
            chosen = Some((p, physical, logical, FIELDS[l as usize].1));
            break;
        }
    }
    let Some((p, physical, logical, class)) = chosen else {
        return;
    };
    let ty = if class == Fc::Int {
        Ty::Int {
            format: 0,
            min: 0,
            max: 2_147_483_647,
        }
    } else {
        Ty::Str {
            format: 0,
            max: [100, 200][rng.below(2)],
        }
    };
    let attr = Attr {
        physical: physical.clone(),
        logical,
        ty,
        req: 0,
        mask: 0,
        ime: 1,
        custom: true,
        unmodified: false,
        flags: F_UPDATE | F_CREATE | F_AUDIT,
        intro: 4,
        source: 0,
        display: Labels::words(p),
        desc: Labels::empty(),
    };
    let key = lower(&physical);
    let attrs = &mut m.entities[e].attrs;
    let pos = attrs.partition_point(|a| lower(&a.physical) < key);
    attrs.insert(pos, attr);
}

/// The "both sides add" edits of a triple: one new column in each shared entity, one new option
/// in the shared global option set, different on each side.
fn add_shared(m: &mut Model, entities: &[usize], optionset: usize, side: u32) {
    for &e in entities {
        let mut rng = edit_rng(m, 0xA000 + e as u64, side);
        add_column(m, e, &mut rng, Some(side));
    }
    if optionset < m.optionsets.len() {
        let mut rng = edit_rng(m, 0xB000, side);
        add_option(&mut m.optionsets[optionset], &mut rng, i64::from(side));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed(doc: &str) {
        let mut r = quick_xml::Reader::from_str(doc);
        let mut depth = 0i64;
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(_) => {}
                Err(e) => panic!("not well-formed at {}: {e}", r.buffer_position()),
            }
        }
        assert_eq!(depth, 0);
    }

    fn export_shape(doc: &str) {
        assert!(doc.starts_with("<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" OrganizationVersion=\""));
        assert!(doc.ends_with("</ImportExportXml>"), "no trailing newline");
        let b = doc.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' {
                assert!(i > 0 && b[i - 1] == b'\r', "bare LF at {i}");
            }
            if c == b'\r' {
                assert!(b.get(i + 1) == Some(&b'\n'), "bare CR at {i}");
            }
        }
        let order = [
            "<Entities>",
            "<Roles>",
            "<Workflows>",
            "<FieldSecurityProfiles",
            "<Templates />",
            "<EntityMaps",
            "<EntityRelationships>",
            "<OrganizationSettings />",
            "<optionsets>",
            "<Dashboards>",
            "<WebResources>",
            "<CustomControls />",
            "<AppModuleSiteMaps>",
            "<AppModules>",
            "<EntityDataProviders />",
            "<Languages>",
        ];
        let mut last = 0;
        for tag in order {
            let needle = format!("\r\n  {tag}");
            let pos = doc.find(&needle).unwrap_or_else(|| panic!("missing {tag}"));
            assert!(pos >= last, "{tag} out of order");
            last = pos;
        }
    }

    /// Lines of `a` that changed (by index) and insertion points, via a line diff.
    fn changed_lines(a: &str, b: &str) -> Vec<(usize, usize)> {
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .diff_lines(a, b);
        diff.ops()
            .iter()
            .filter(|op| !matches!(op.tag(), similar::DiffTag::Equal))
            .map(|op| {
                let r = op.old_range();
                (r.start, r.end)
            })
            .collect()
    }

    fn count_changed(a: &str, b: &str) -> usize {
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .diff_lines(a, b);
        diff.ops()
            .iter()
            .map(|op| match op.tag() {
                similar::DiffTag::Equal => 0,
                _ => op.old_range().len().max(op.new_range().len()),
            })
            .sum()
    }

    const MB: usize = 1 << 20;

    #[test]
    fn deterministic() {
        let cfg = SynthConfig {
            target_bytes: MB,
            seed: 7,
        };
        let a = generate(&cfg);
        assert_eq!(a, generate(&cfg));
        assert_ne!(
            a,
            generate(&SynthConfig {
                target_bytes: MB,
                seed: 8
            })
        );
    }

    #[test]
    fn size_within_tolerance() {
        for (size, seed) in [(MB, 1), (MB, 42), (5 * MB, 3)] {
            let doc = generate(&SynthConfig {
                target_bytes: size,
                seed,
            });
            let err = (doc.len() as f64 - size as f64).abs() / size as f64;
            assert!(
                err < 0.05,
                "size {} for target {size} (seed {seed})",
                doc.len()
            );
        }
    }

    #[test]
    fn well_formed_export_shape() {
        for seed in [1, 2, 3] {
            let doc = generate(&SynthConfig {
                target_bytes: MB,
                seed,
            });
            well_formed(&doc);
            export_shape(&doc);
            assert!(
                doc.contains("&lt;fetch ")
                    || doc.contains("&lt;QuickFormIds&gt;")
                    || doc.contains("&lt;Dependencies&gt;")
            );
            assert!(doc.contains("&quot;"), "escaped handler parameters");
            assert!(doc.contains("unmodified=\"1\""));
            assert!(doc.contains("<savedquery>") && doc.contains("<fetch version=\"1.0\""));
            assert!(doc.contains("<RolePrivilege name=\"prv"));
            assert!(doc.contains("<AppModuleComponent type=\"1\""));
            assert!(doc.contains("<SubArea Id=\"subarea_"));
        }
    }

    #[test]
    fn entities_and_attributes_sorted() {
        let doc = generate(&SynthConfig {
            target_bytes: 2 * MB,
            seed: 11,
        });
        let names: Vec<String> = doc
            .split("\r\n      <Name LocalizedName=")
            .skip(1)
            .map(|s| {
                let start = s.find('>').expect(">") + 1;
                let end = s.find("</Name>").expect("</Name>");
                s[start..end].to_ascii_lowercase()
            })
            .collect();
        assert!(names.len() > 5);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        let first_entity = doc
            .split("<attributes>")
            .nth(1)
            .expect("attributes")
            .split("</attributes>")
            .next()
            .expect("x");
        let attrs: Vec<String> = first_entity
            .split("<attribute PhysicalName=\"")
            .skip(1)
            .map(|s| s[..s.find('"').expect("\"")].to_ascii_lowercase())
            .collect();
        assert!(attrs.windows(2).all(|w| w[0] < w[1]), "{attrs:?}");
    }

    #[test]
    fn pair_differs_in_scattered_places() {
        let cfg = SynthConfig {
            target_bytes: MB,
            seed: 5,
        };
        let (old, new) = generate_pair(&cfg, 24);
        assert_eq!(old, generate(&cfg));
        well_formed(&new);
        export_shape(&new);
        let changed = count_changed(&old, &new);
        assert!(changed > 0 && changed < 600, "{changed} changed lines");
        let hunks = changed_lines(&old, &new);
        assert!(hunks.len() >= 12, "{} hunks", hunks.len());
        let lines = old.split("\r\n").count();
        assert!(
            hunks[0].0 < lines / 4,
            "first change at {} of {lines}",
            hunks[0].0
        );
        assert!(hunks[hunks.len() - 1].0 > lines * 3 / 4);
        // Same first bytes up to the first edit.
        let common = old
            .bytes()
            .zip(new.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(common > 1000);
        let (o2, n2) = generate_pair(&cfg, 24);
        assert_eq!((o2, n2), (old, new));
    }

    #[test]
    fn pair_with_zero_changes_is_identical() {
        let (old, new) = generate_pair(
            &SynthConfig {
                target_bytes: MB / 2,
                seed: 9,
            },
            0,
        );
        assert_eq!(old, new);
    }

    #[test]
    fn triple_sides_edit_disjoint_places() {
        let cfg = SynthConfig {
            target_bytes: 2 * MB,
            seed: 21,
        };
        let (base, ours, theirs) = generate_triple(&cfg, 15);
        assert_eq!(base, generate(&cfg));
        for d in [&ours, &theirs] {
            well_formed(d);
            export_shape(d);
        }
        assert_ne!(ours, theirs);
        let a = changed_lines(&base, &ours);
        let b = changed_lines(&base, &theirs);
        assert!(
            a.len() >= 10 && b.len() >= 10,
            "{} / {} hunks",
            a.len(),
            b.len()
        );
        // Hunks that touch or overlap between the sides: only the deliberate "both add" ones
        // (a column in each of up to three shared entities, one option in one option set).
        let touching = a
            .iter()
            .flat_map(|x| b.iter().map(move |y| (x, y)))
            .filter(|(x, y)| x.0 <= y.1 && y.0 <= x.1)
            .count();
        assert!(touching <= 4, "{touching} touching hunks");
    }

    #[test]
    fn tiny_targets_and_too_many_edits_stay_valid() {
        let tiny = SynthConfig {
            target_bytes: 0,
            seed: 4,
        };
        let doc = generate(&tiny);
        well_formed(&doc);
        export_shape(&doc);
        let cfg = SynthConfig {
            target_bytes: MB / 2,
            seed: 6,
        };
        let (_, new) = generate_pair(&cfg, 100_000);
        well_formed(&new);
        let (_, ours, theirs) = generate_triple(&cfg, 100_000);
        well_formed(&ours);
        well_formed(&theirs);
    }
}
