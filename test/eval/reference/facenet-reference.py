# Independent reference for test/eval/metrics.test.ts: FaceNet's calculate_roc / calculate_val
# (davidsandberg/facenet, src/facenet.py) and the IJB TAR@FAR rule, run with numpy + scipy on the
# deterministic data both sides generate (MINSTD LCG). Prints the numbers the test pins.
import numpy as np
from scipy import interpolate

def data(n=203):
    x = 12345
    same, dist = [], []
    for i in range(n):
        x = (x * 48271) % 2147483647
        u = x / 2147483647
        s = (i % 3) != 0
        same.append(s)
        dist.append(0.2 + 1.6 * u if s else 0.9 + 2.0 * u)
    return np.array(same), np.array(dist)

def kfold(n, k=10):
    sizes = [n // k + (1 if f < n % k else 0) for f in range(k)]
    start = 0
    for s in sizes:
        test = np.arange(start, start + s)
        train = np.setdiff1d(np.arange(n), test)
        yield train, test
        start += s

def acc(t, d, s):
    p = np.less(d, t)
    tp = np.sum(p & s); tn = np.sum(~p & ~s)
    return float(tp + tn) / d.size

def val_far(t, d, s):
    p = np.less(d, t)
    return float(np.sum(p & s)) / float(np.sum(s)), float(np.sum(p & ~s)) / float(np.sum(~s))

same, dist = data()
thr = np.arange(0, 4, 0.01)
accs = []
for train, test in kfold(len(dist)):
    a = np.array([acc(t, dist[train], same[train]) for t in thr])
    accs.append(acc(thr[np.argmax(a)], dist[test], same[test]))
print('accuracy', repr(np.mean(accs)), 'std', repr(np.std(accs)))

thr = np.arange(0, 4, 0.001)
for target in (1e-1, 1e-2):
    vals = []
    for train, test in kfold(len(dist)):
        far_train = np.array([val_far(t, dist[train], same[train])[1] for t in thr])
        if np.max(far_train) >= target:
            # FaceNet calls interp1d(far_train, thr, kind='slinear'); modern scipy rejects the
            # duplicate FAR values of the plateaus, so interpolate on the bracketing grid points.
            i = int(np.argmax(far_train >= target))
            f = interpolate.interp1d(far_train[i - 1:i + 1], thr[i - 1:i + 1], kind='slinear')
            t = float(f(target))
        else:
            t = 0.0
        vals.append(val_far(t, dist[test], same[test])[0])
    print('val@far', target, repr(np.mean(vals)), repr(np.std(vals)))

score = 1 - dist / 2
gen = score[same]; imp = np.sort(score[~same])[::-1]
for far in (1e-1, 1e-2, 1e-3):
    k = round(far * len(imp))
    th = imp[k - 1] if k > 0 else imp[0] + 1e-9
    print('tar@far', far, repr(np.mean(gen >= th)))
print('auc', repr(np.mean([(g > i) + 0.5 * (g == i) for g in gen for i in imp])))
