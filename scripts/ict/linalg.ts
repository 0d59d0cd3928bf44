/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (float64, a fixed sweep
 * order, so the same input gives the same bits). Returns eigenvalues in decreasing order and the
 * matching eigenvectors as columns of a row-major k × k matrix.
 */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < k; p++) {
      diag += m[p * k + p]! ** 2;
      for (let q = p + 1; q < k; q++) off += m[p * k + q]! ** 2;
    }
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q]!;
        if (apq === 0) continue;
        const app = m[p * k + p]!;
        const aqq = m[q * k + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p]!;
          const mrq = m[r * k + q]!;
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r]!;
          const mqr = m[q * k + r]!;
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p]!;
          const vrq = v[r * k + q]!;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => m[j * k + j]! - m[i * k + i]! || i - j);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    values[dst] = m[src * k + src]!;
    for (let r = 0; r < k; r++) vectors[r * k + dst] = v[r * k + src]!;
  });
  return { values, vectors };
}

/**
 * Thin SVD of a tall matrix given as k columns of length n (D = [d_1 … d_k]) through its Gram
 * matrix DᵀD = V S² Vᵀ: returns the columns U_j S_j = D V_j (the displacement of one standard
 * deviation of mode j when the original coefficients are N(0, I), since Cov(D a) = D Dᵀ = U S² Uᵀ)
 * and S_j², decreasing. Each column's sign makes its largest-magnitude entry positive.
 */
export function principalModes(columns: readonly Float64Array[]): { modes: Float64Array[]; variances: Float64Array } {
  const k = columns.length;
  const n = columns[0]!.length;
  const g = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const a = columns[i]!;
      const b = columns[j]!;
      let s = 0;
      for (let r = 0; r < n; r++) s += a[r]! * b[r]!;
      g[i * k + j] = s;
      g[j * k + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(g, k);
  const modes: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const u = new Float64Array(n);
    for (let i = 0; i < k; i++) {
      const w = vectors[i * k + j]!;
      if (w === 0) continue;
      const c = columns[i]!;
      for (let r = 0; r < n; r++) u[r] = u[r]! + w * c[r]!;
    }
    let big = 0;
    for (let r = 0; r < n; r++) if (Math.abs(u[r]!) > Math.abs(u[big]!)) big = r;
    if (u[big]! < 0) for (let r = 0; r < n; r++) u[r] = -u[r]!;
    modes.push(u);
  }
  return { modes, variances: Float64Array.from(values, (x) => Math.max(0, x)) };
}
