/** Made-up customers for the screenshots: the same ones every run. */
const FIRST = ['Aaron', 'Abena', 'Aiko', 'Amara', 'Ana', 'Ben', 'Bianca', 'Carlos', 'Chloe', 'Dara', 'Diego', 'Elena', 'Emeka', 'Farah', 'Grace', 'Hannah', 'Ingrid', 'Isaac', 'James', 'Jin', 'Kofi', 'Lena', 'Liam', 'Lucía', 'Maria', 'Mateo', 'Mei', 'Nadia', 'Noah', 'Olu', 'Omar', 'Priya', 'Quinn', 'Ravi', 'Rosa', 'Sam', 'Sofia', 'Tomás', 'Yusuf', 'Zoe'];
const LAST = ['Adeyemi', 'Ahmed', 'Berg', 'Brown', 'Costa', 'Dubois', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Kowalski', 'Khan', 'Larsen', 'Lopez', 'Müller', 'Murphy', 'Nguyen', 'Novak', 'Okafor', 'Patel', 'Reyes', 'Rossi', 'Silva', 'Smith', 'Tanaka', 'Wright'];
const COMPANIES = ['Northwind', 'Globex', 'Initech', 'Umbrella Outdoors', 'Stark Supply', 'Wayne Textiles', 'Hooli', 'Vandelay Imports', '', ''];
const CITIES = ['Berlin', 'Lisbon', 'Austin', 'Osaka', 'Lagos', 'Toronto', 'Madrid', 'Dublin', 'Pune', 'Oslo'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example', 'inbox.example'];
/** Customers the script opens or suppresses later, so the file always has them. */
const KNOWN = ['Maria Garcia', 'Aiko Tanaka', 'Chloe Dubois', 'Noah Murphy', 'Liam Smith', 'James Smith'];

/** A small deterministic random source, so every run draws the same customers. */
function seeded(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const slug = (text: string) => text.toLowerCase().normalize('NFD').replace(/[^a-z0-9.]/g, '');

/** A shop's customer export: names, company, city, plan, sign-up date, and four broken rows. */
export function customersCsv(rows: number): string {
	const random = seeded(2024);
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
	const seen = new Set<string>();
	const lines = ['Email,First Name,Last Name,Company,City,Plan,Signed up'];
	while (lines.length <= rows) {
		const known = KNOWN[lines.length - 1];
		const [first, last] = known ? (known.split(' ') as [string, string]) : [pick(FIRST), pick(LAST)];
		const style = random();
		const local = known || style < 0.6 ? `${first}.${last}` : style < 0.8 ? `${first[0]}${last}` : `${first}${Math.floor(random() * 90) + 10}`;
		const email = `${slug(local)}@${known ? 'example.com' : pick(DOMAINS)}`;
		if (seen.has(email)) continue;
		seen.add(email);
		const n = lines.length;
		lines.push(`${email},${first},${last},${pick(COMPANIES)},${pick(CITIES)},${['free', 'pro', 'team'][n % 3]},2024-0${(n % 9) + 1}-1${n % 10}`);
		if (n === 40) lines.push('maria.garcia@,Maria,Garcia,Northwind,Berlin,pro,2024-03-14');
		if (n === 90) lines.push('n/a,Walk-in,Customer,,Lisbon,free,2024-05-02');
		if (n === 150) lines.push('james.smith@example.com,James,Smith,Globex,Lisbon,pro,2024-02-11');
		if (n === 220) lines.push(',Unknown,,,Austin,free,2024-06-01');
	}
	return `${lines.join('\n')}\n`;
}

/** A plain, large file: big enough to see an import's progress bar move. */
export function bigCsv(rows: number): string {
	const lines = ['email,first_name,plan'];
	for (let i = 0; i < rows; i++) lines.push(`customer${i}@example.com,Customer ${i},${i % 3 ? 'pro' : 'free'}`);
	return `${lines.join('\n')}\n`;
}
