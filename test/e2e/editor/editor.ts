/**
 * The n8n editor as a user drives it (n8n 1.123 and 2.40 share these data-test-id hooks unless noted).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';

import type { Owner } from '../../harness/n8n';
import { PACKAGE } from './fixtures';

/** What n8n shows for a node type it does not know (NDV texts of 1.123 and 2.40). */
const UNKNOWN_NODE_TEXT =
	/Install this node to use it|not currently installed|type \([^)]*\) is unknown|node is not valid/i;

export const OUR_ICON = `img[src*="icons/${PACKAGE}/"]`;

// Functions passed to the page run in the browser; the project compiles without the DOM library, so they
// use these minimal shapes.
export interface ImgElement {
	complete: boolean;
	naturalWidth: number;
	getAttribute(name: string): string | null;
}
interface HtmlElement {
	innerText: string;
	offsetParent: unknown;
	getAttribute(name: string): string | null;
	querySelectorAll(selector: string): ArrayLike<ImgElement>;
}
declare const document: { querySelectorAll(selector: string): ArrayLike<ImgElement> };

export interface CanvasNode {
	name: string;
	type: string;
	text: string;
	icons: Array<{ src: string; naturalWidth: number }>;
}

export class Editor {
	private shot = 0;

	constructor(
		readonly page: Page,
		readonly baseUrl: string,
		readonly shotsDir: string,
	) {
		fs.mkdirSync(shotsDir, { recursive: true });
	}

	/** Signs in through the form, as a user does. */
	async signIn(owner: Owner): Promise<void> {
		const { page } = this;
		await page.goto(`${this.baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
		await page.locator('input[name="password"]').fill(owner.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	}

	async openWorkflow(id: string): Promise<void> {
		await this.page.goto(`${this.baseUrl}/workflow/${id}`);
		await this.page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 30_000 });
		await this.iconsSettled();
	}

	/** Waits until every icon image of our package has finished loading (or failing). */
	async iconsSettled(timeout = 15_000): Promise<void> {
		await this.page.waitForFunction(
			(selector) => Array.from(document.querySelectorAll(selector)).every((img) => img.complete),
			OUR_ICON,
			{ timeout },
		);
	}

	async canvasNodes(): Promise<CanvasNode[]> {
		return await this.page.$$eval('[data-test-id="canvas-node"]', (elements) =>
			(elements as unknown as HtmlElement[]).map((element) => ({
				name: element.getAttribute('data-node-name') ?? '',
				type: element.getAttribute('data-node-type') ?? '',
				text: element.innerText,
				icons: Array.from(element.querySelectorAll('img')).map((img) => ({
					src: img.getAttribute('src') ?? '',
					naturalWidth: img.naturalWidth,
				})),
			})),
		);
	}

	/**
	 * What is wrong with our nodes on the canvas: a node of our package without its icon (n8n draws a "?" for a
	 * type it does not know), or with an icon that did not load. Returns [] when all is well.
	 */
	async canvasProblems(): Promise<{ ours: CanvasNode[]; problems: string[] }> {
		await this.iconsSettled();
		const ours = (await this.canvasNodes()).filter((n) => n.type.startsWith(`${PACKAGE}.`));
		const problems: string[] = [];
		for (const node of ours) {
			const icons = node.icons.filter((i) => i.src.includes(`icons/${PACKAGE}/`));
			if (icons.length === 0) {
				problems.push(
					`"${node.name}" (${node.type}) has no icon of ours on the canvas` +
						(node.text.trim().startsWith('?') ? ' — n8n drew "?": it does not know the type' : ''),
				);
			}
			for (const icon of icons) {
				if (icon.naturalWidth <= 0)
					problems.push(`"${node.name}": icon ${icon.src} did not load (naturalWidth 0)`);
			}
		}
		return { ours, problems };
	}

	/** Opens a node's panel (double-click on the canvas), waits for its parameters. */
	async openNode(name: string, options: { parameters?: boolean } = {}): Promise<Locator> {
		const node = this.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
		await node.dblclick();
		const ndv = this.page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ state: 'visible', timeout: 15_000 });
		// an unknown node type has no parameters to show
		if (options.parameters ?? true)
			await ndv.locator('[data-test-id="node-parameters"]').waitFor({ timeout: 15_000 });
		// let loadOptions/listSearch calls and icons settle
		await this.page.waitForLoadState('networkidle').catch(() => undefined);
		await this.iconsSettled();
		return ndv;
	}

	/** What is wrong with the open panel: "install this node" texts, our icon missing or not loaded. */
	async ndvProblems(): Promise<string[]> {
		const ndv = this.page.locator('[data-test-id="ndv"]');
		const problems: string[] = [];
		const text = await ndv.innerText();
		const unknown = UNKNOWN_NODE_TEXT.exec(text);
		if (unknown) problems.push(`the panel says "${unknown[0]}" (n8n does not know the node type)`);
		const icons = await ndv.locator(OUR_ICON).evaluateAll((imgs) =>
			(imgs as unknown as ImgElement[]).map((img) => ({
				src: img.getAttribute('src'),
				w: img.naturalWidth,
			})),
		);
		if (icons.length === 0) problems.push('the panel shows no icon of ours');
		for (const icon of icons) if (icon.w <= 0) problems.push(`icon ${icon.src} did not load`);
		return problems;
	}

	/** Closes a modal dialog (Escape; n8n 1.x credential dialogs need their close button). */
	async closeDialog(dialog: Locator): Promise<void> {
		if (!(await dialog.isVisible())) return;
		await this.page.keyboard.press('Escape');
		try {
			await dialog.waitFor({ state: 'hidden', timeout: 3_000 });
		} catch {
			await this.page.locator('.el-overlay-dialog .el-dialog__headerbtn:visible').first().click();
			await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
		}
	}

	async closeNdv(): Promise<void> {
		const { page } = this;
		// a dialog opened from the panel (e.g. the credential form) covers it
		const dialog = page.locator('[data-test-id="credential-edit-dialog"]:visible');
		if ((await dialog.count()) > 0) await this.closeDialog(dialog.first());
		const ndv = page.locator('[data-test-id="ndv"]');
		if (!(await ndv.isVisible())) return;
		for (const selector of [
			'[data-test-id="ndv-close-button"]',
			'[data-test-id="back-to-canvas"]',
		]) {
			const button = page.locator(selector).first();
			if (await button.isVisible()) {
				await button.click();
				break;
			}
		}
		if (await ndv.isVisible()) await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden', timeout: 10_000 });
	}

	/** Option labels of the open dropdown(s) (Element Plus selects and n8n's own). */
	async visibleOptions(): Promise<string[]> {
		return await this.page.$$eval(
			'.el-select-dropdown__item, .el-select-dropdown li[role="option"]',
			(elements) =>
				(elements as unknown as HtmlElement[])
					.filter((e) => e.offsetParent !== null)
					.map((e) => e.innerText.trim().replace(/\s+/g, ' ')),
		);
	}

	/** A screenshot of the page (and of `part`, if given) into the artifacts folder; returns the file names. */
	async screenshot(name: string, part?: Locator): Promise<string[]> {
		const n = String(++this.shot).padStart(2, '0');
		const slug = name
			.replace(/[^A-Za-z0-9]+/g, '-')
			.replace(/^-|-$/g, '')
			.toLowerCase();
		const files: string[] = [];
		await this.page.waitForTimeout(400); // let panels finish sliding in
		const file = path.join(this.shotsDir, `${n}-${slug}.png`);
		await this.page.screenshot({ path: file });
		files.push(file);
		if (part && (await part.isVisible())) {
			const partFile = path.join(this.shotsDir, `${n}-${slug}-detail.png`);
			await part.screenshot({ path: partFile });
			files.push(partFile);
		}
		return files;
	}
}
