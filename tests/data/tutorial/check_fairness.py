import json
with open('fairness.json') as f:
    results = json.load(f)

for attr, metrics in results['demographic_parity'].items():
    ratio = metrics['ratio']
    if ratio < 0.8 or ratio > 1.25:
        print(f'::error::Demographic parity violation for {attr}: {ratio}')
        exit(1)

print('::notice::All fairness checks passed')
