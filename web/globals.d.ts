// Types of the page's globals for the type checker (tsc --checkJs; see tsconfig.json): the
// hook the browser test reads.

interface Window {
  incidentmap: {
    map: import('maplibre-gl').Map | null;
    lastItemsUrl: string | null;
    lastTileUrl: string | null;
    lastVectorUrl: string | null;
    count: number | null;
    drawn?: number;
    regions?: number;
    labels?: string[];
    histogram?: { bars: number, total: number };
    regionCounts?: Record<string, number>;
    loads: number;
    pending: number;
    ready: boolean;
    libraries: 'vendor' | 'cdn' | null;
    lastCreated: string | null;
    report?: { id: string, drafts: number } | null;
    state: import('./js/state.js').Filters;
  };
}
