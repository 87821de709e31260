/**
 * Model sources and storage for the app's UI; the main page's Models section (src/ui/ModelsSection.tsx)
 * and the standalone model page both mount these:
 * - `CustomTrioPicker`: a trio from hub repos (any host or mirror), folders on this server or on
 *   disk, with the download size and saved trios; `onLoad(models, label)` hands over ModelSpecifiers.
 * - `LoadProgress`: bytes per file and overall, failures naming the file, and a Retry button.
 * - `CacheManager`: models in browser storage, sizes, delete, storage quota and persistence.
 * - `ModelsPanel`: all three wired to the coordinator (the standalone model page uses it).
 */
export { CacheManager, type CacheManagerProps } from './CacheManager';
export { CustomTrioPicker, type CustomTrioPickerProps } from './CustomTrioPicker';
export { DownloadPlanView, type DownloadPlanViewProps } from './DownloadPlanView';
export { LoadProgress, type LoadProgressProps } from './LoadProgress';
export { LocalFolderPicker, type LocalFolderPickerProps } from './LocalFolderPicker';
export { ModelsPanel, type ModelsPanelProps } from './ModelsPanel';
export { listCustomTrios, resolveCustomTrio, foldersToPick, type CustomTrio } from './trio-store';
