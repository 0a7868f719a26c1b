// Types of the page's globals for the type checker (tsc --checkJs; see tsconfig.json):
// Leaflet's `L` comes from @types/leaflet and @types/leaflet.markercluster (the libraries are
// classic scripts, loaded by js/libraries.js); this is the hook the browser test reads.

interface Window {
  incidentmap: {
    map: L.Map | null;
    markers: import('leaflet').MarkerClusterGroup | null;
    heat: L.TileLayer | null;
    lastItemsUrl: string | null;
    lastTileUrl: string | null;
    count: number | null;
    loads: number;
    pending: number;
    ready: boolean;
    libraries: 'vendor' | 'cdn' | null;
    lastCreated: string | null;
    state: import('./js/state.js').Filters;
  };
}
