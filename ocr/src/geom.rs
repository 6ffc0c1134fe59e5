//! Plane geometry and pixel work for the pipeline, with no OpenCV: connected
//! components of the detection map, the minimum-area rectangle of a
//! component (convex hull and rotating calipers), the perspective crop of a
//! quadrilateral (a 4-point homography, bilinear sampling) and the tensor
//! layout the PP-OCR models take (BGR, planar, `(x / 255 − 0.5) / 0.5`).

use image::RgbImage;

/// A point in pixels (x to the right, y down).
pub(crate) type Pt = (f32, f32);

/// The 8-connected components of a binary map (row-major, `w × h`), as the
/// list of pixel centres of each; components of fewer than `min_pixels` are
/// dropped.
pub(crate) fn components(
    map: &[bool],
    w: usize,
    h: usize,
    min_pixels: usize,
) -> Vec<Vec<(i32, i32)>> {
    let mut label = vec![false; map.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..map.len() {
        if !map[start] || label[start] {
            continue;
        }
        label[start] = true;
        stack.push(start);
        let mut pixels = Vec::new();
        while let Some(i) = stack.pop() {
            let (x, y) = ((i % w) as i32, (i / w) as i32);
            pixels.push((x, y));
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= w as i32 || ny >= h as i32 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if map[j] && !label[j] {
                        label[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if pixels.len() >= min_pixels {
            out.push(pixels);
        }
    }
    out
}

/// The convex hull (counter-clockwise in image coordinates, Andrew's monotone
/// chain) of a set of points.
pub(crate) fn convex_hull(points: &[(i32, i32)]) -> Vec<Pt> {
    let mut p: Vec<(i32, i32)> = points.to_vec();
    p.sort_unstable();
    p.dedup();
    if p.len() < 3 {
        return p.iter().map(|&(x, y)| (x as f32, y as f32)).collect();
    }
    let cross = |o: (i32, i32), a: (i32, i32), b: (i32, i32)| -> i64 {
        i64::from(a.0 - o.0) * i64::from(b.1 - o.1) - i64::from(a.1 - o.1) * i64::from(b.0 - o.0)
    };
    let mut hull: Vec<(i32, i32)> = Vec::with_capacity(2 * p.len());
    for &pt in p.iter().chain(p.iter().rev().skip(1)) {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], pt) <= 0 {
            hull.pop();
        }
        hull.push(pt);
    }
    hull.pop();
    hull.iter().map(|&(x, y)| (x as f32, y as f32)).collect()
}

/// The minimum-area rectangle around a convex polygon: its four corners
/// ordered top-left, top-right, bottom-right, bottom-left (PP-OCR's
/// `get_mini_boxes` order) and its shorter side.
pub(crate) fn min_area_rect(hull: &[Pt]) -> Option<([Pt; 4], f32)> {
    if hull.is_empty() {
        return None;
    }
    let n = hull.len();
    let mut best: Option<(f32, [Pt; 4])> = None;
    for i in 0..n.max(1) {
        let a = hull[i];
        let b = hull[(i + 1) % n];
        let (mut ux, mut uy) = (b.0 - a.0, b.1 - a.1);
        let len = (ux * ux + uy * uy).sqrt();
        if len < 1e-6 {
            (ux, uy) = (1.0, 0.0);
        } else {
            (ux, uy) = (ux / len, uy / len);
        }
        let (vx, vy) = (-uy, ux);
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(x, y) in hull {
            let u = x * ux + y * uy;
            let v = x * vx + y * vy;
            u0 = u0.min(u);
            u1 = u1.max(u);
            v0 = v0.min(v);
            v1 = v1.max(v);
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let corner = |u: f32, v: f32| (u * ux + v * vx, u * uy + v * vy);
            best = Some((
                area,
                [
                    corner(u0, v0),
                    corner(u1, v0),
                    corner(u1, v1),
                    corner(u0, v1),
                ],
            ));
        }
    }
    let (_, quad) = best?;
    let ordered = order_box(quad);
    let w = dist(ordered[0], ordered[1]);
    let h = dist(ordered[0], ordered[3]);
    Some((ordered, w.min(h)))
}

/// Orders four corners as PP-OCR does: the two leftmost, upper first
/// (top-left) and lower (bottom-left); the two rightmost, upper (top-right)
/// and lower (bottom-right).
fn order_box(mut p: [Pt; 4]) -> [Pt; 4] {
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (tl, bl) = if p[0].1 <= p[1].1 {
        (p[0], p[1])
    } else {
        (p[1], p[0])
    };
    let (tr, br) = if p[2].1 <= p[3].1 {
        (p[2], p[3])
    } else {
        (p[3], p[2])
    };
    [tl, tr, br, bl]
}

/// Euclidean distance.
pub(crate) fn dist(a: Pt, b: Pt) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Grows a rectangle (ordered as [`min_area_rect`] returns) by `d` on every
/// side — the minimum-area rectangle of PP-OCR's polygon offset ("unclip").
pub(crate) fn grow_rect(q: [Pt; 4], d: f32) -> [Pt; 4] {
    let unit = |a: Pt, b: Pt| {
        let l = dist(a, b).max(1e-6);
        ((b.0 - a.0) / l, (b.1 - a.1) / l)
    };
    let u = unit(q[0], q[1]); // along the top edge
    let v = unit(q[0], q[3]); // down the left edge
    let m = |p: Pt, su: f32, sv: f32| {
        (
            p.0 + d * (su * u.0 + sv * v.0),
            p.1 + d * (su * u.1 + sv * v.1),
        )
    };
    [
        m(q[0], -1.0, -1.0),
        m(q[1], 1.0, -1.0),
        m(q[2], 1.0, 1.0),
        m(q[3], -1.0, 1.0),
    ]
}

/// The mean of `map` inside a convex quadrilateral (PP-OCR's fast box score).
pub(crate) fn mean_in_quad(map: &[f32], w: usize, h: usize, q: &[Pt; 4]) -> f32 {
    let xmin = q
        .iter()
        .map(|p| p.0)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as usize;
    let xmax =
        (q.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil() as usize).min(w.saturating_sub(1));
    let ymin = q
        .iter()
        .map(|p| p.1)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as usize;
    let ymax =
        (q.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil() as usize).min(h.saturating_sub(1));
    let (mut sum, mut n) = (0.0f64, 0u32);
    for y in ymin..=ymax {
        for x in xmin..=xmax {
            if inside(q, (x as f32, y as f32)) {
                sum += f64::from(map[y * w + x]);
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / f64::from(n)) as f32
    }
}

/// Whether a point lies inside a convex quadrilateral (either winding).
fn inside(q: &[Pt; 4], p: Pt) -> bool {
    let mut sign = 0i8;
    for i in 0..4 {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let c = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
        let s = if c > 1e-3 {
            1
        } else if c < -1e-3 {
            -1
        } else {
            0
        };
        if s != 0 {
            if sign != 0 && s != sign {
                return false;
            }
            sign = s;
        }
    }
    true
}

/// The homography taking `src[i]` to `dst[i]` (4 pairs), as the 8 free
/// entries of a 3×3 matrix with h33 = 1; `None` when degenerate.
pub(crate) fn homography(src: &[Pt; 4], dst: &[Pt; 4]) -> Option<[f64; 9]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(src[i].0), f64::from(src[i].1));
        let (u, v) = (f64::from(dst[i].0), f64::from(dst[i].1));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the 8×8 system.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (row, r) in a.iter_mut().enumerate() {
            if row != col {
                let f = r[col] / pivot_row[col];
                for (x, p) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

/// Bilinear sample with the edge replicated.
pub(crate) fn sample(img: &RgbImage, x: f64, y: f64) -> [u8; 3] {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let x = x.clamp(0.0, w - 1.0);
    let y = y.clamp(0.0, h - 1.0);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let x1 = (x0 + 1).min(img.width() - 1);
    let y1 = (y0 + 1).min(img.height() - 1);
    let p = |xx: u32, yy: u32| img.get_pixel(xx, yy).0;
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = f64::from(a[k]) * (1.0 - fx) + f64::from(b[k]) * fx;
        let bottom = f64::from(c[k]) * (1.0 - fx) + f64::from(d[k]) * fx;
        out[k] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// The quadrilateral `q` (top-left, top-right, bottom-right, bottom-left)
/// warped upright into a rectangle; a crop more than 1.5 times as tall as
/// wide is turned a quarter to the left (vertical text), as PP-OCR does.
pub(crate) fn crop_quad(img: &RgbImage, q: &[Pt; 4]) -> Option<RgbImage> {
    let w = dist(q[0], q[1]).max(dist(q[2], q[3])).round().max(1.0);
    let h = dist(q[0], q[3]).max(dist(q[1], q[2])).round().max(1.0);
    let rect = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    // Map destination pixels back to the source.
    let m = homography(&rect, q)?;
    let (cw, ch) = (w as u32, h as u32);
    let mut out = RgbImage::new(cw, ch);
    for y in 0..ch {
        for x in 0..cw {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let den = m[6] * fx + m[7] * fy + m[8];
            if den.abs() < 1e-12 {
                continue;
            }
            let sx = (m[0] * fx + m[1] * fy + m[2]) / den;
            let sy = (m[3] * fx + m[4] * fy + m[5]) / den;
            out.put_pixel(x, y, image::Rgb(sample(img, sx, sy)));
        }
    }
    if f64::from(ch) >= 1.5 * f64::from(cw) {
        out = image::imageops::rotate270(&out);
    }
    Some(out)
}

/// Writes an image into a planar BGR tensor slice of width `stride` (the
/// batch entry's row length), normalised to [−1, 1]; columns past the image
/// stay as they are (zero padding).
pub(crate) fn write_bgr_normalised(img: &RgbImage, out: &mut [f32], stride: usize, height: usize) {
    let plane = stride * height;
    for (x, y, p) in img.enumerate_pixels() {
        let (x, y) = (x as usize, y as usize);
        if x >= stride || y >= height {
            continue;
        }
        let i = y * stride + x;
        for (c, v) in [p.0[2], p.0[1], p.0[0]].into_iter().enumerate() {
            out[c * plane + i] = (f32::from(v) / 255.0 - 0.5) / 0.5;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_area_rect_of_a_tilted_bar_follows_its_tilt() {
        // A bar 40 long and 4 thick at 30°.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let mut pts = Vec::new();
        for i in 0..=400 {
            for j in 0..=40 {
                let (u, v) = (i as f32 / 10.0, j as f32 / 10.0);
                pts.push((
                    (u * c - v * s + 50.0).round() as i32,
                    (u * s + v * c + 50.0).round() as i32,
                ));
            }
        }
        let (q, short) = min_area_rect(&convex_hull(&pts)).unwrap();
        assert!((3.0..6.0).contains(&short), "short side {short}");
        let long = dist(q[0], q[1]).max(dist(q[0], q[3]));
        assert!((39.0..42.0).contains(&long), "long side {long}");
        // Top-left is the leftmost-upper corner.
        assert!(q[0].0 <= q[1].0 && q[0].0 <= q[2].0);
    }

    #[test]
    fn components_split_and_drop_small_ones() {
        let (w, h) = (10, 4);
        let mut map = vec![false; w * h];
        for x in 0..3 {
            map[w + x] = true;
        }
        map[2 * w + 8] = true;
        let c = components(&map, w, h, 2);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), 3);
    }

    #[test]
    fn crop_of_an_axis_aligned_quad_is_the_sub_image() {
        let mut img = RgbImage::new(20, 10);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([(x * 10) as u8, (y * 20) as u8, 7]);
        }
        let c = crop_quad(&img, &[(5.0, 2.0), (15.0, 2.0), (15.0, 6.0), (5.0, 6.0)]).unwrap();
        assert_eq!((c.width(), c.height()), (10, 4));
        assert_eq!(c.get_pixel(0, 0).0, [50, 40, 7]);
        assert_eq!(c.get_pixel(3, 1).0, [80, 60, 7]);
    }

    #[test]
    fn grown_rect_is_larger_by_twice_the_offset() {
        let q = [(0.0, 0.0), (10.0, 0.0), (10.0, 4.0), (0.0, 4.0)];
        let g = grow_rect(q, 1.5);
        assert!((dist(g[0], g[1]) - 13.0).abs() < 1e-4);
        assert!((dist(g[0], g[3]) - 7.0).abs() < 1e-4);
    }
}
