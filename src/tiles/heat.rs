//! Kernel density on a tile: bin weights into a pixel grid padded by the kernel's reach, blur,
//! crop. Pure functions over world-pixel coordinates.
//!
//! Why this is seamless: the grid is aligned to the world pixel grid of the zoom, every tile's
//! grid extends past its edges by the kernel's full reach, and each output pixel depends only
//! on the bins within that reach. Two neighbouring tiles therefore compute bit-identical values
//! along their shared edge — the same values a render of their union would give.
//!
//! Why it is fast: binning is O(points); the Gaussian is separable, so it is two passes of a
//! 1-D kernel — exact up to [`EXACT_SIGMA`], beyond that three box blurs (Kovesi 2010), O(pixels)
//! whatever the radius. Incidents known only as an area are spread uniformly over that area
//! through a difference grid, O(1) each.
//!
//! Why exact at small radii: a box approximation is a product of two piecewise-quadratic
//! kernels, whose faint tails are square; sqrt and log curves lift exactly those tails. The
//! true Gaussian is the one product kernel that is round.

/// The grid of one render (a tile, or any window of world pixels).
pub struct Canvas {
    w: usize,
    h: usize,
    pad: usize,
    /// Grid width and height: the window plus the pad on each side.
    width: usize,
    height: usize,
    /// World pixel of the grid's top-left cell.
    origin_x: f64,
    origin_y: f64,
    cells: Vec<f32>,
    /// Difference grid for uniform rectangles, (width+1)²; summed at the end.
    rects: Option<Vec<f32>>,
}

impl Canvas {
    /// A canvas for the `w`×`h` window whose top-left world pixel is (`x0`, `y0`), padded by
    /// `pad` pixels of kernel reach.
    pub fn new(x0: f64, y0: f64, w: usize, h: usize, pad: usize) -> Canvas {
        let (width, height) = (w + 2 * pad, h + 2 * pad);
        Canvas {
            w,
            h,
            pad,
            width,
            height,
            origin_x: x0 - pad as f64,
            origin_y: y0 - pad as f64,
            cells: vec![0.0; width * height],
            rects: None,
        }
    }

    /// World pixel of the grid's top-left cell (the window's corner less the pad).
    pub fn origin(&self) -> (f64, f64) {
        (self.origin_x, self.origin_y)
    }

    /// Grid size (window plus pad).
    pub fn grid(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Adds `w` at a world pixel position. Positions outside the padded grid cannot reach the
    /// tile and are ignored.
    #[inline]
    pub fn add_point(&mut self, x: f64, y: f64, w: f32) {
        let cx = (x - self.origin_x).floor();
        let cy = (y - self.origin_y).floor();
        if cx >= 0.0 && cy >= 0.0 && cx < self.width as f64 && cy < self.height as f64 {
            self.cells[cy as usize * self.width + cx as usize] += w;
        }
    }

    /// Spreads `w` uniformly over the world-pixel rectangle [x0, x1) × [y0, y1). The density
    /// is computed from the whole rectangle, not the part on this tile, so every tile it
    /// touches agrees.
    pub fn add_rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, w: f32) {
        let (x0, x1) = (x0.floor(), x1.ceil().max(x0.floor() + 1.0));
        let (y0, y1) = (y0.floor(), y1.ceil().max(y0.floor() + 1.0));
        let density = w / ((x1 - x0) * (y1 - y0)) as f32;
        let clip = |v: f64, o: f64, n: usize| (v - o).clamp(0.0, n as f64) as usize;
        let (cx0, cx1) = (
            clip(x0, self.origin_x, self.width),
            clip(x1, self.origin_x, self.width),
        );
        let (cy0, cy1) = (
            clip(y0, self.origin_y, self.height),
            clip(y1, self.origin_y, self.height),
        );
        if cx0 >= cx1 || cy0 >= cy1 {
            return;
        }
        let stride = self.width + 1;
        let rows = self.height + 1;
        let d = self.rects.get_or_insert_with(|| vec![0.0; stride * rows]);
        d[cy0 * stride + cx0] += density;
        d[cy0 * stride + cx1] -= density;
        d[cy1 * stride + cx0] -= density;
        d[cy1 * stride + cx1] += density;
    }

    /// Adds `density` to each cell of world pixel row `row`, columns `x0..x1` (clipped to the
    /// grid): one row of an outline being spread.
    pub fn add_span(&mut self, row: i64, x0: i64, x1: i64, density: f32) {
        let (ox, oy) = (self.origin_x as i64, self.origin_y as i64);
        let y = row - oy;
        if y < 0 || y >= self.height as i64 {
            return;
        }
        let clip = |x: i64| (x - ox).clamp(0, self.width as i64) as usize;
        let (cx0, cx1) = (clip(x0), clip(x1));
        if cx0 >= cx1 {
            return;
        }
        let (stride, rows) = (self.width + 1, self.height + 1);
        let d = self.rects.get_or_insert_with(|| vec![0.0; stride * rows]);
        let y = y as usize;
        d[y * stride + cx0] += density;
        d[y * stride + cx1] -= density;
        d[(y + 1) * stride + cx0] -= density;
        d[(y + 1) * stride + cx1] += density;
    }

    /// Folds the rectangles in, blurs with a Gaussian of standard deviation `sigma` pixels
    /// (scaled so a lone point of weight 1 peaks at 1), and returns the window's `w`×`h`
    /// densities, row-major.
    pub fn finish(mut self, sigma: f32) -> Vec<f32> {
        self.fold_rects();
        if sigma <= EXACT_SIGMA {
            let k = gaussian_kernel(sigma);
            let mut tmp = vec![0.0f32; self.cells.len()];
            convolve_rows(&self.cells, &mut tmp, self.width, &k);
            convolve_cols(&tmp, &mut self.cells, self.width, self.height, &k);
            return self.crop(1.0);
        }
        let boxes = box_radii(sigma);
        let mut tmp = vec![0.0f32; self.cells.len()];
        for &r in &boxes {
            blur_rows(&self.cells, &mut tmp, self.width, r);
            blur_cols(&tmp, &mut self.cells, self.width, self.height, r);
        }
        self.crop(peak(&boxes))
    }

    /// Convolves with a quartic (biweight) kernel of radius `r` pixels, K(d) = (1 - d²/r²)² for
    /// d < r, peak 1 — QGIS's default heat-map kernel, with a hard edge at `r`. Points are
    /// splatted from each non-empty cell (cost grows with cells × r², unlike the Gaussian);
    /// areas, which fill every cell they cover, are smoothed with the Gaussian of the same
    /// reach and mass instead, keeping them O(pixels).
    pub fn finish_quartic(mut self, r: f32) -> Vec<f32> {
        let mut area = self.take_areas();
        let ri = r.floor().max(0.0) as i64;
        let sprite: Vec<(i64, i64, f32)> = (-ri..=ri)
            .flat_map(|dy| (-ri..=ri).map(move |dx| (dx, dy)))
            .filter_map(|(dx, dy)| {
                let q = 1.0 - ((dx * dx + dy * dy) as f32) / (r * r);
                (q > 0.0).then_some((dx, dy, q * q))
            })
            .collect();
        let mut out = vec![0.0f32; self.cells.len()];
        let (wd, ht) = (self.width as i64, self.height as i64);
        for (i, &v) in self.cells.iter().enumerate() {
            if v == 0.0 {
                continue;
            }
            let (cx, cy) = ((i % self.width) as i64, (i / self.width) as i64);
            for &(dx, dy, k) in &sprite {
                let (x, y) = (cx + dx, cy + dy);
                if x >= 0 && y >= 0 && x < wd && y < ht {
                    out[(y * wd + x) as usize] += v * k;
                }
            }
        }
        if let Some(a) = area.as_mut() {
            // The quartic's mass is πr²/3; the peak-1 Gaussian's is 2πσ² with σ = r/3.
            let sigma = r / 3.0;
            let k = gaussian_kernel(sigma);
            let mut tmp = vec![0.0f32; a.len()];
            convolve_rows(a, &mut tmp, self.width, &k);
            convolve_cols(&tmp, a, self.width, self.height, &k);
            let scale = (r * r / 3.0) / (2.0 * sigma * sigma);
            for (o, v) in out.iter_mut().zip(a.iter()) {
                *o += v * scale;
            }
        }
        self.cells = out;
        self.crop(1.0)
    }

    /// The rectangles' densities as a grid of their own, if any.
    fn take_areas(&mut self) -> Option<Vec<f32>> {
        let d = self.rects.take()?;
        let stride = self.width + 1;
        let mut grid = vec![0.0f32; self.cells.len()];
        let mut row = vec![0.0f32; stride];
        for y in 0..self.height {
            let mut acc = 0.0f32;
            for x in 0..self.width {
                row[x] += d[y * stride + x];
                acc += row[x];
                grid[y * self.width + x] = acc;
            }
        }
        Some(grid)
    }

    /// Sums the rectangles into the cells.
    fn fold_rects(&mut self) {
        if let Some(a) = self.take_areas() {
            for (c, v) in self.cells.iter_mut().zip(a) {
                *c += v;
            }
        }
    }

    fn crop(&self, peak: f32) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.w * self.h);
        for y in 0..self.h {
            let row = (y + self.pad) * self.width + self.pad;
            out.extend(self.cells[row..row + self.w].iter().map(|v| v / peak));
        }
        out
    }
}

/// Up to this sigma (pixels) the Gaussian is computed exactly; above, by box blurs.
pub const EXACT_SIGMA: f32 = 12.0;

/// How far (in pixels) the Gaussian of this sigma reaches: the pad a canvas needs for exact
/// results.
pub fn reach(sigma: f32) -> usize {
    if sigma <= EXACT_SIGMA {
        gaussian_kernel(sigma).len() / 2
    } else {
        box_radii(sigma).iter().sum()
    }
}

/// exp(-x²/2σ²) for x in -k..=k, k = ⌈3σ⌉: centre 1, so a point's 2-D peak is 1.
fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let sigma = sigma.max(0.3);
    let k = (3.0 * sigma).ceil() as i32;
    (-k..=k)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect()
}

/// One horizontal pass of a symmetric kernel, zero outside the grid.
fn convolve_rows(src: &[f32], dst: &mut [f32], width: usize, k: &[f32]) {
    let r = k.len() / 2;
    for (s, d) in src.chunks_exact(width).zip(dst.chunks_exact_mut(width)) {
        d.iter_mut().for_each(|v| *v = 0.0);
        for (x, &v) in s.iter().enumerate() {
            if v == 0.0 {
                continue; // heat grids are mostly empty
            }
            let lo = x.saturating_sub(r);
            let hi = (x + r + 1).min(width);
            let kk = &k[lo + r - x..hi + r - x];
            for (o, w) in d[lo..hi].iter_mut().zip(kk) {
                *o += v * w;
            }
        }
    }
}

/// One vertical pass of a symmetric kernel, zero outside the grid: each output row is a
/// weighted sum of whole input rows (which vectorizes).
fn convolve_cols(src: &[f32], dst: &mut [f32], width: usize, height: usize, k: &[f32]) {
    let r = k.len() / 2;
    dst.iter_mut().for_each(|v| *v = 0.0);
    for y in 0..height {
        let row = &src[y * width..(y + 1) * width];
        if row.iter().all(|&v| v == 0.0) {
            continue;
        }
        let lo = y.saturating_sub(r);
        let hi = (y + r + 1).min(height);
        for oy in lo..hi {
            let w = k[oy + r - y];
            for (o, v) in dst[oy * width..(oy + 1) * width].iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }
}

/// Radii of three box blurs whose succession approximates a Gaussian of this sigma (Kovesi,
/// "Fast almost-Gaussian filtering", 2010).
pub fn box_radii(sigma: f32) -> [usize; 3] {
    let sigma = sigma.max(0.0) as f64;
    let n = 3.0;
    let ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut wl = ideal.floor() as i64;
    if wl % 2 == 0 {
        wl -= 1;
    }
    let wl = wl.max(1);
    let wu = wl + 2;
    let m = ((12.0 * sigma * sigma - n * (wl * wl) as f64 - 4.0 * n * wl as f64 - 3.0 * n)
        / (-4.0 * wl as f64 - 4.0))
        .round() as i64;
    let mut out = [0usize; 3];
    for (i, o) in out.iter_mut().enumerate() {
        let w = if (i as i64) < m { wl } else { wu };
        *o = ((w - 1) / 2) as usize;
    }
    out
}

/// Centre value of the 2-D kernel the three boxes make, for a unit impulse.
fn peak(radii: &[usize; 3]) -> f32 {
    let mut k = vec![1.0f64];
    for &r in radii {
        let w = 2 * r + 1;
        let mut next = vec![0.0f64; k.len() + 2 * r];
        for (i, v) in k.iter().enumerate() {
            for j in 0..w {
                next[i + j] += v / w as f64;
            }
        }
        k = next;
    }
    let c = k[k.len() / 2];
    (c * c) as f32
}

/// One horizontal box pass with zero outside the grid.
fn blur_rows(src: &[f32], dst: &mut [f32], width: usize, r: usize) {
    if r == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let inv = 1.0 / (2 * r + 1) as f32;
    for (s, d) in src.chunks_exact(width).zip(dst.chunks_exact_mut(width)) {
        let mut acc: f32 = s[..r.min(width)].iter().sum();
        for x in 0..width {
            if x + r < width {
                acc += s[x + r];
            }
            d[x] = acc * inv;
            if x >= r {
                acc -= s[x - r];
            }
        }
    }
}

/// One vertical box pass with zero outside the grid, a row at a time (cache friendly).
fn blur_cols(src: &[f32], dst: &mut [f32], width: usize, height: usize, r: usize) {
    if r == 0 {
        dst.copy_from_slice(src);
        return;
    }
    let inv = 1.0 / (2 * r + 1) as f32;
    let mut acc = vec![0.0f32; width];
    for y in 0..r.min(height) {
        for (a, v) in acc.iter_mut().zip(&src[y * width..(y + 1) * width]) {
            *a += v;
        }
    }
    for y in 0..height {
        if y + r < height {
            for (a, v) in acc
                .iter_mut()
                .zip(&src[(y + r) * width..(y + r + 1) * width])
            {
                *a += v;
            }
        }
        for (d, a) in dst[y * width..(y + 1) * width].iter_mut().zip(&acc) {
            *d = a * inv;
        }
        if y >= r {
            for (a, v) in acc
                .iter_mut()
                .zip(&src[(y - r) * width..(y - r + 1) * width])
            {
                *a -= v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lone_point_peaks_at_its_weight() {
        let sigma = 6.0;
        let mut c = Canvas::new(0.0, 0.0, 64, 64, reach(sigma));
        c.add_point(32.5, 32.5, 2.0);
        let d = c.finish(sigma);
        let max = d.iter().cloned().fold(0.0f32, f32::max);
        assert!((max - 2.0).abs() < 1e-3, "{max}");
        assert!((d[32 * 64 + 32] - max).abs() < 1e-6);
    }

    #[test]
    fn the_exact_gaussian_is_round() {
        let sigma = 5.0;
        let mut c = Canvas::new(0.0, 0.0, 64, 64, reach(sigma));
        c.add_point(32.5, 32.5, 1.0);
        let d = c.finish(sigma);
        // same value at the same distance along an axis and along a diagonal
        let axis = d[32 * 64 + 32 + 10];
        let diag = d[(32 + 7) * 64 + 32 + 7]; // 7√2 ≈ 9.9
        let expect = |r: f32| (-(r * r) / (2.0 * sigma * sigma)).exp();
        assert!((axis - expect(10.0)).abs() < 1e-5);
        assert!((diag - expect(98f32.sqrt())).abs() < 1e-5);
    }

    #[test]
    fn large_sigmas_fall_back_to_box_blurs() {
        let sigma = 20.0;
        let mut c = Canvas::new(0.0, 0.0, 128, 128, reach(sigma));
        c.add_point(64.5, 64.5, 3.0);
        let d = c.finish(sigma);
        assert!((d[64 * 128 + 64] - 3.0).abs() < 1e-3);
    }

    #[test]
    fn box_radii_approximate_sigma() {
        for sigma in [1.0f32, 3.3, 8.0, 20.0, 50.0] {
            let r = box_radii(sigma);
            let var: f64 = r
                .iter()
                .map(|&r| ((2 * r + 1).pow(2) - 1) as f64 / 12.0)
                .sum();
            assert!((var.sqrt() - sigma as f64).abs() < 0.6, "{sigma}: {r:?}");
        }
    }

    #[test]
    fn the_quartic_kernel_peaks_at_one_and_ends_at_its_radius() {
        let mut c = Canvas::new(0.0, 0.0, 64, 64, 12);
        c.add_point(32.5, 32.5, 1.0);
        let d = c.finish_quartic(10.0);
        assert!((d[32 * 64 + 32] - 1.0).abs() < 1e-6);
        assert_eq!(d[32 * 64 + 42], 0.0, "nothing at the radius");
        assert!(d[32 * 64 + 41] > 0.0);
        // the mass of the kernel is pi r^2 / 3 (its integral), within the grid's error
        let mass: f32 = d.iter().sum();
        assert!(
            (mass - std::f32::consts::PI * 100.0 / 3.0).abs() < 2.0,
            "{mass}"
        );
    }

    #[test]
    fn mass_is_conserved_away_from_edges() {
        let sigma = 4.0;
        let pad = reach(sigma);
        let mut c = Canvas::new(0.0, 0.0, 64, 64, pad);
        c.add_point(30.0, 30.0, 1.0);
        c.add_rect(10.0, 10.0, 20.0, 30.0, 3.0);
        // the exact kernel's mass is 2πσ² (to within the 3σ truncation)
        let total: f32 =
            c.finish(sigma).iter().sum::<f32>() / (std::f32::consts::TAU * sigma * sigma);
        assert!((total - 4.0).abs() < 0.02, "{total}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Rendering two neighbouring tiles equals rendering one canvas across both: no seams.
        #[test]
        fn neighbouring_tiles_equal_their_union(
            pts in proptest::collection::vec((0.0f64..512.0, 0.0f64..256.0, 0.1f32..5.0), 1..60),
            rects in proptest::collection::vec((0.0f64..512.0, 0.0f64..256.0, 1.0f64..300.0, 1.0f64..200.0, 0.1f32..5.0), 0..4),
            sigma in 1.0f32..20.0,
            quartic in any::<bool>(),
        ) {
            // the quartic's radius is three sigmas, like the Gaussian's reach
            let r = sigma * 3.0;
            let pad = if quartic { r.ceil() as usize } else { reach(sigma) };
            let fill = |c: &mut Canvas| {
                for &(x, y, w) in &pts { c.add_point(x, y, w); }
                for &(x, y, w, h, v) in &rects { c.add_rect(x, y, x + w, y + h, v); }
            };
            let finish = |c: Canvas| if quartic { c.finish_quartic(r) } else { c.finish(sigma) };
            let draw = |x0: f64| {
                let mut c = Canvas::new(x0, 0.0, 256, 256, pad);
                fill(&mut c);
                finish(c)
            };
            // A 512×256 union canvas, cropped to its two halves, against two 256 tiles.
            let mut union = Canvas::new(0.0, 0.0, 512, 256, pad);
            fill(&mut union);
            let u = finish(union);
            let (left, right) = (draw(0.0), draw(256.0));
            for y in 0..256 {
                for x in 0..256 {
                    let a = u[y * 512 + x];
                    let b = u[y * 512 + 256 + x];
                    prop_assert!((a - left[y * 256 + x]).abs() <= 1e-4 * a.abs().max(1.0));
                    prop_assert!((b - right[y * 256 + x]).abs() <= 1e-4 * b.abs().max(1.0));
                }
            }
        }
    }
}
