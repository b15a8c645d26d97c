/** Shapes shared by the emulator's modules and its public interface. */

export interface DateRangeFilter {
	startAt: string;
	endAt: string;
}

/** The `filter` object of Create Export Lead Job: exactly one member. */
export interface ExportLeadFilter {
	createdAt?: DateRangeFilter;
	updatedAt?: DateRangeFilter;
	staticListId?: number;
	staticListName?: string;
	smartListId?: number;
	smartListName?: string;
}

/** The `filter` object of Create Export Activity Job. */
export interface ExportActivityFilter {
	createdAt: DateRangeFilter;
	activityTypeIds?: number[];
	primaryAttributeValueIds?: number[];
	primaryAttributeValues?: string[];
}

/** The `filter` object of Create Export Program Member Job: all keys given are ANDed. */
export interface ExportProgramMemberFilter {
	programId?: number;
	programIds?: number[];
	statusNames?: string[];
	isExhausted?: boolean;
	nurtureCadence?: 'pause' | 'paus' | 'norm';
	updatedAt?: DateRangeFilter;
}

/** The `filter` object of Create Export Custom Object Job: exactly one member. */
export interface ExportCustomObjectFilter {
	updatedAt?: DateRangeFilter;
	staticListId?: number;
	staticListName?: string;
	smartListId?: number;
	smartListName?: string;
}

export interface ApiError {
	code: string;
	message: string;
}

export type LeadValues = Record<string, string | null>;
