/**
 * The package's one codec for Marketo's bulk files, by concern: delimiter detection, the streaming
 * decoder, value typing, record decoding, the encoder and the byte splitter, over shared byte helpers.
 *
 * Every file here ships in the node package: the community-node scanner allows only relative imports,
 * so the codec uses nothing but language built-ins and the TextDecoder global.
 */

export { concatBytes, CR, isBlank, LF, QUOTE } from './bytes';
export { CsvDecoder, type DecodedRow, type DecoderOptions } from './decoder';
export {
	delimiterFor,
	delimiterName,
	detectDelimiter,
	type DataFormat,
	type Delimiter,
} from './delimiter';
export { encodeRow, encodeValue } from './encoder';
export { CsvError } from './errors';
export { decodeRecords, type DecodeRecordsOptions, type RecordBatch } from './records';
export { RecordSplitter } from './splitter';
export { recordBuilder, type FieldKind } from './typing';
