//! What tiles cache: encoded PNGs (bounded in bytes), and the data derived once per base or per
//! data version — each style's pyramid, and the top of its ramp at each zoom.
//!
//! Keys carry the data version (or base id), so a write makes every old entry unreachable at
//! once; the caches also drop them eagerly when they first see a newer version, to give the
//! memory back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::clusters::ClusterIndex;
use super::pyramid::Pyramid;
use super::style::Style;
use super::{Layer, build_pyramid, top_of_ramp};
use crate::spatial::Snapshot;

/// A tile's identity: everything that decides its bytes. Built on every tile request, so it
/// allocates nothing unless the request has filters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub version: u64,
    /// The style's position among the loaded styles.
    pub style: u16,
    pub z: u8,
    pub x: u32,
    pub y: u32,
    pub scale: u8,
    /// Canonical form of the request's filters; `None` without filters.
    pub filter: Option<Box<str>>,
}

impl TileKey {
    /// A strong ETag for the tile: a hash of the key (the key decides the bytes).
    pub fn etag(&self) -> axum::http::HeaderValue {
        let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h = (h ^ b as u128).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
            }
        };
        eat(&self.version.to_le_bytes());
        eat(&self.style.to_le_bytes());
        eat(&[self.z, self.scale]);
        eat(&self.x.to_le_bytes());
        eat(&self.y.to_le_bytes());
        eat(self.filter.as_deref().unwrap_or("").as_bytes());
        let mut buf = [0u8; 34];
        buf[0] = b'"';
        buf[33] = b'"';
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for i in 0..32 {
            buf[1 + i] = HEX[((h >> (124 - 4 * i)) & 0xf) as usize];
        }
        axum::http::HeaderValue::from_bytes(&buf).expect("hex is a valid header")
    }
}

#[derive(Clone)]
struct Weigher;

impl quick_cache::Weighter<TileKey, Arc<[u8]>> for Weigher {
    fn weight(&self, k: &TileKey, v: &Arc<[u8]>) -> u64 {
        // bytes of the PNG plus a rough allowance for the key and bookkeeping
        (v.len() + k.filter.as_ref().map_or(0, |f| f.len()) + 96) as u64
    }
}

/// Encoded tiles, least recently used first out, bounded in bytes.
pub struct TileCache {
    cache: quick_cache::sync::Cache<TileKey, Arc<[u8]>, Weigher>,
    version: std::sync::atomic::AtomicU64,
    hits: std::sync::atomic::AtomicU64,
    misses: std::sync::atomic::AtomicU64,
}

impl TileCache {
    pub fn new(max_bytes: u64) -> TileCache {
        // ~20 KB per tile is typical; the estimate only sizes the table.
        let estimate = (max_bytes / 20_000).max(16) as usize;
        TileCache {
            cache: quick_cache::sync::Cache::with_weighter(estimate, max_bytes.max(1), Weigher),
            version: 0.into(),
            hits: 0.into(),
            misses: 0.into(),
        }
    }

    pub fn get(&self, key: &TileKey) -> Option<Arc<[u8]>> {
        use std::sync::atomic::Ordering::Relaxed;
        let old = self.version.fetch_max(key.version, Relaxed);
        if old < key.version && old != 0 {
            self.cache.clear();
        }
        let hit = self.cache.get(key);
        if hit.is_some() {
            self.hits.fetch_add(1, Relaxed);
        } else {
            self.misses.fetch_add(1, Relaxed);
        }
        hit
    }

    pub fn insert(&self, key: TileKey, png: Arc<[u8]>) {
        if key.version >= self.version.load(std::sync::atomic::Ordering::Relaxed) {
            self.cache.insert(key, png);
        }
    }

    /// (hits, misses, bytes held, tiles held)
    pub fn stats(&self) -> (u64, u64, u64, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.hits.load(Relaxed),
            self.misses.load(Relaxed),
            self.cache.weight(),
            self.cache.len(),
        )
    }
}

type Slot<T> = Arc<OnceLock<T>>;
/// Pyramids by (base id, style name).
type Pyramids = HashMap<(u64, String), Slot<Arc<Pyramid>>>;
/// Ramp tops by (data version, style name, zoom).
type Tops = HashMap<(u64, String, u8), Slot<f32>>;

/// Pyramids per (base, style) and ramp tops per (version, style, zoom). Each is computed by
/// the first request that needs it while the others wait for that result.
#[derive(Default)]
pub struct Derived {
    pyramids: Mutex<Pyramids>,
    tops: Mutex<Tops>,
    /// The vector tiles' index, by base id.
    clusters: Mutex<Option<(u64, Slot<Arc<ClusterIndex>>)>>,
}

impl Derived {
    /// The style's pyramid for the snapshot's base.
    pub fn pyramid(&self, snap: &Snapshot, style: &Style) -> Arc<Pyramid> {
        let slot = {
            let mut m = self.pyramids.lock().unwrap_or_else(|p| p.into_inner());
            // A new base makes older pyramids useless.
            m.retain(|(base, _), _| *base >= snap.base_id());
            m.entry((snap.base_id(), style.name.clone()))
                .or_default()
                .clone()
        };
        slot.get_or_init(|| Arc::new(build_pyramid(snap, style)))
            .clone()
    }

    /// The vector tiles' index of the snapshot's base.
    pub fn clusters(&self, snap: &Snapshot) -> Arc<ClusterIndex> {
        let slot = {
            let mut m = self.clusters.lock().unwrap_or_else(|p| p.into_inner());
            match &*m {
                Some((base, slot)) if *base == snap.base_id() => slot.clone(),
                // An older request may still ask for an older base: build it for that
                // request alone rather than evict the newer one.
                Some((base, _)) if *base > snap.base_id() => Slot::default(),
                _ => {
                    let slot = Slot::default();
                    *m = Some((snap.base_id(), slot.clone()));
                    slot
                }
            }
        };
        slot.get_or_init(|| Arc::new(ClusterIndex::build(snap)))
            .clone()
    }

    /// The density at the top of the ramp for this version, style and zoom.
    pub fn top(&self, layer: &Layer, z: u8) -> f32 {
        let version = layer.snap.version();
        let slot = {
            let mut m = self.tops.lock().unwrap_or_else(|p| p.into_inner());
            m.retain(|(v, _, _), _| *v >= version);
            m.entry((version, layer.style.name.clone(), z))
                .or_default()
                .clone()
        };
        *slot.get_or_init(|| top_of_ramp(layer, z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: u64, x: u32) -> TileKey {
        TileKey {
            version,
            style: 0,
            z: 3,
            x,
            y: 0,
            scale: 1,
            filter: None,
        }
    }

    #[test]
    fn stays_within_its_byte_budget() {
        let c = TileCache::new(100_000);
        for x in 0..200 {
            c.insert(key(1, x), Arc::from(vec![0u8; 2_000]));
        }
        let (_, _, bytes, n) = c.stats();
        assert!(bytes <= 100_000, "{bytes}");
        assert!(n < 200 && n > 10, "{n}");
    }

    #[test]
    fn etags_follow_every_part_of_the_key() {
        let a = key(1, 0);
        let mut b = a.clone();
        assert_eq!(a.etag(), b.etag());
        b.filter = Some("x".into());
        assert_ne!(a.etag(), b.etag());
        assert_ne!(key(1, 0).etag(), key(2, 0).etag());
        assert_ne!(key(1, 0).etag(), key(1, 1).etag());
        assert_eq!(a.etag().len(), 34);
    }

    #[test]
    fn a_new_version_drops_old_tiles() {
        let c = TileCache::new(1_000_000);
        c.insert(key(1, 0), Arc::from(vec![1u8; 10]));
        assert!(c.get(&key(1, 0)).is_some());
        assert!(c.get(&key(2, 0)).is_none());
        assert_eq!(c.stats().3, 0, "version 1 tiles are gone");
        c.insert(key(1, 5), Arc::from(vec![1u8; 10]));
        assert_eq!(
            c.stats().3,
            0,
            "a late render of an old version is not kept"
        );
    }
}
