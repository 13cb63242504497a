// The package ships no types: what it returns, as far as the console reads it.
declare module 'parse-prometheus-text-format' {
  interface ParsedMetric {
    name: string;
    help: string;
    type: string;
    metrics: { value?: string; labels?: Record<string, string> }[];
  }
  function parsePrometheusTextFormat(text: string): ParsedMetric[];
  export = parsePrometheusTextFormat;
}
