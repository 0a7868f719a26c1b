//! An incident as submitted — maybe without an id, maybe without a point — and how it becomes
//! a stored [`Incident`]: a missing point is geocoded from the place name through the
//! gazetteer, and the match decides `place_id` and `precision`.

use serde::Serialize;

use crate::gazetteer::{Gazetteer, GeocodeOptions, GeocodeResult, Kind};
use crate::model::{Category, Incident, ModelError, OccurredAt, Precision, Status};

/// Below this confidence a geocoded place is not taken on trust: the writer must choose.
pub const CONFIDENT: f64 = 0.6;

/// The fields of an incident as a client or a file gave them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub id: Option<String>,
    /// lon, lat
    pub point: Option<(f64, f64)>,
    pub occurred_at: Option<OccurredAt>,
    pub category: Option<Category>,
    pub fatalities: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    pub place: Option<String>,
    pub place_id: Option<u64>,
    pub precision: Option<Precision>,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// `published` when left out.
    pub status: Option<Status>,
    pub report_id: Option<String>,
}

/// A place candidate offered when a name is ambiguous.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: u64,
    pub name: String,
    pub kind: Kind,
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    pub confidence: f64,
}

impl From<&GeocodeResult> for Candidate {
    fn from(r: &GeocodeResult) -> Candidate {
        Candidate {
            id: r.id,
            name: r.name.clone(),
            kind: r.kind,
            country: r.country.clone(),
            admin1: r.admin1.clone(),
            confidence: r.confidence,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    #[error(transparent)]
    Invalid(#[from] ModelError),
    #[error("place {place:?} is not in the gazetteer; give coordinates or a place_id")]
    UnknownPlace { place: String },
    #[error(
        "place {place:?} is ambiguous ({}); resend with properties.place_id set to one of them",
        candidates.iter().map(|c| format!("{} = {}, {} {}", c.id, c.name, c.kind, c.country)).collect::<Vec<_>>().join("; ")
    )]
    Ambiguous {
        place: String,
        candidates: Vec<Candidate>,
    },
    #[error("place_id {0} is not in the gazetteer")]
    UnknownPlaceId(u64),
    #[error("no location: give a Point geometry, properties.place or properties.place_id")]
    NoLocation,
}

impl ResolveError {
    /// The field at fault, for error messages.
    pub fn field(&self) -> &'static str {
        match self {
            ResolveError::Invalid(e) => e.field(),
            ResolveError::UnknownPlace { .. } | ResolveError::Ambiguous { .. } => "place",
            ResolveError::UnknownPlaceId(_) => "place_id",
            ResolveError::NoLocation => "geometry",
        }
    }
}

impl Draft {
    /// Turns the draft into an incident with id `id` (the draft's own id wins), geocoding the
    /// place when there is no point.
    pub fn resolve(
        self,
        gaz: &Gazetteer,
        id: impl FnOnce(&Draft) -> String,
    ) -> Result<Incident, ResolveError> {
        // The id first: a bad one (`..`, `a/b`) is the problem to report, whatever else is.
        let id = match self.id.clone() {
            Some(id) => id,
            None => id(&self),
        };
        crate::model::validate_id(&id)?;
        let occurred_at = self.occurred_at.ok_or_else(|| {
            ModelError::invalid("occurred_at", "is required (RFC 3339 date or date-time)")
        })?;
        let category = self.category.ok_or_else(|| {
            ModelError::invalid(
                "category",
                format!("is required; one of {}", Category::names()),
            )
        })?;
        let (lon, lat, place_id, precision) = match (self.point, self.place_id, &self.place) {
            (Some((lon, lat)), place_id, _) => (
                lon,
                lat,
                place_id,
                self.precision.unwrap_or(Precision::Exact),
            ),
            (None, Some(pid), _) => {
                let p = gaz.place(pid).ok_or(ResolveError::UnknownPlaceId(pid))?;
                (
                    p.lon,
                    p.lat,
                    Some(pid),
                    self.precision.unwrap_or(p.kind.precision()),
                )
            }
            (None, None, Some(place)) => {
                let found = gaz.geocode(
                    place,
                    &GeocodeOptions {
                        limit: 5,
                        ..Default::default()
                    },
                );
                let best = found.first().ok_or_else(|| ResolveError::UnknownPlace {
                    place: place.clone(),
                })?;
                if best.confidence < 0.5 && found.len() == 1 {
                    return Err(ResolveError::UnknownPlace {
                        place: place.clone(),
                    });
                }
                if best.confidence < CONFIDENT {
                    return Err(ResolveError::Ambiguous {
                        place: place.clone(),
                        candidates: found.iter().map(Candidate::from).collect(),
                    });
                }
                (
                    best.lon,
                    best.lat,
                    Some(best.id),
                    self.precision.unwrap_or(best.precision),
                )
            }
            (None, None, None) => return Err(ResolveError::NoLocation),
        };
        let incident = Incident {
            id,
            lon,
            lat,
            occurred_at,
            category,
            fatalities: self.fatalities,
            injured: self.injured,
            arrested: self.arrested,
            place: self.place,
            place_id,
            precision,
            source: self.source,
            notes: self.notes,
            status: self.status.unwrap_or_default(),
            report_id: self.report_id,
            admin1: None,
        };
        incident.validate()?;
        Ok(incident)
    }

    /// A stable id derived from the draft's content, for rows that come without one: importing
    /// the same file twice then updates rather than duplicates.
    pub fn content_id(&self) -> String {
        let mut h = Fnv::default();
        let text = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.point,
            self.occurred_at.map(|t| t.to_string()),
            self.category,
            self.fatalities,
            self.injured,
            self.arrested,
            self.place,
            self.place_id,
            self.precision,
            self.source,
            self.notes
        );
        h.write(text.as_bytes());
        format!("h{:016x}", h.0)
    }
}

/// FNV-1a, 64-bit: stable across Rust releases, unlike `DefaultHasher`.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ids_are_stable_and_distinct() {
        let a = Draft {
            place: Some("أكتاو".into()),
            category: Some(Category::Protest),
            ..Default::default()
        };
        let mut b = a.clone();
        assert_eq!(a.content_id(), b.content_id());
        b.fatalities = Some(1);
        assert_ne!(a.content_id(), b.content_id());
        assert!(crate::model::validate_id(&a.content_id()).is_ok());
    }
}
