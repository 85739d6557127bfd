// Charts: time series with uPlot (small, maintained, canvas, no runtime network), and interval
// ("forest") plots of estimates with their confidence intervals drawn as SVG.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777']

/** A live line chart: x is seconds since the epoch; one series per label. */
export function TimeChart(props: { title: string; labels: readonly string[]; data: readonly (readonly number[])[]; height?: number; yRange?: [number, number]; testid?: string }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot>()
  const shape = props.labels.join('\u0000')
  useEffect(() => {
    if (box.current === null) return undefined
    const options: uPlot.Options = {
      title: props.title,
      width: Math.max(320, box.current.clientWidth || 640),
      height: props.height ?? 200,
      series: [{}, ...props.labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2 }))],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true }, ...(props.yRange === undefined ? {} : { y: { range: props.yRange } }) },
    }
    chart.current = new uPlot(options, props.data as uPlot.AlignedData, box.current)
    return () => chart.current?.destroy()
  }, [shape])
  useEffect(() => chart.current?.setData(props.data as uPlot.AlignedData), [props.data])
  return <div class="chart" ref={box} data-testid={props.testid} />
}

export interface Interval {
  readonly label: string
  readonly estimate: number | null
  readonly low: number | null
  readonly high: number | null
}

/** Each estimate as a dot on its interval, against a reference line (0: no difference). */
export function IntervalPlot(props: { intervals: readonly Interval[]; reference?: number; format?: (value: number) => string; testid?: string }) {
  const drawn = props.intervals.filter((i) => i.low !== null && i.high !== null && i.estimate !== null)
  const reference = props.reference ?? 0
  const values = [reference, ...drawn.flatMap((i) => [i.low!, i.high!])]
  let min = Math.min(...values)
  let max = Math.max(...values)
  if (max - min < 1e-12) {
    min -= 1
    max += 1
  }
  const pad = (max - min) * 0.08
  min -= pad
  max += pad
  const width = 560
  const left = 150
  const rowHeight = 28
  const height = props.intervals.length * rowHeight + 24
  const x = (value: number): number => left + ((value - min) / (max - min)) * (width - left - 10)
  const format = props.format ?? ((value: number) => value.toPrecision(3))
  return (
    <svg class="intervals" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" data-testid={props.testid}>
      <line x1={x(reference)} x2={x(reference)} y1={0} y2={height - 18} class="reference" />
      <text x={x(min + pad)} y={height - 4} class="axis">{format(min + pad)}</text>
      <text x={x(max - pad)} y={height - 4} class="axis" text-anchor="end">{format(max - pad)}</text>
      {props.intervals.map((interval, row) => {
        const y = row * rowHeight + 16
        const complete = interval.low !== null && interval.high !== null && interval.estimate !== null
        return (
          <g key={interval.label} data-interval={interval.label}>
            <text x={4} y={y + 4} class="label">{interval.label}</text>
            {complete ? (
              <>
                <line x1={x(interval.low!)} x2={x(interval.high!)} y1={y} y2={y} class="ci" />
                <line x1={x(interval.low!)} x2={x(interval.low!)} y1={y - 6} y2={y + 6} class="ci" />
                <line x1={x(interval.high!)} x2={x(interval.high!)} y1={y - 6} y2={y + 6} class="ci" />
                <circle cx={x(interval.estimate!)} cy={y} r={4} class="estimate" />
              </>
            ) : (
              <text x={left} y={y + 4} class="muted">not enough data yet</text>
            )}
          </g>
        )
      })}
    </svg>
  )
}
